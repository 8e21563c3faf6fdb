/*
Copyright 2026 The imagestream-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package localcluster runs the operator's local environment for `make run` on a machine
// with no cluster: the project's own etcd, kube-apiserver and kube-controller-manager (built
// from Go modules into bin/ by `make controlplane`), the CRDs and admission webhooks, and an
// OCI registry on loopback seeded with a sample image. Tests use the same pieces.
package localcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Options configure a local cluster.
type Options struct {
	// BinDir holds etcd, kube-apiserver and kube-controller-manager.
	BinDir string
	// ConfigDir is the repository's config/ directory: the CRDs are read from crd/bases and
	// the webhook configurations from webhook/.
	ConfigDir string
	// Dir receives the administrator's kubeconfig; it is created if missing.
	Dir string
}

// Cluster is a running local control plane.
type Cluster struct {
	// Config is the administrator's client configuration.
	Config *rest.Config
	// Kubeconfig is the path of the administrator's kubeconfig file, for kubectl.
	Kubeconfig string
	// Webhook tells the operator's webhook server where to listen and which certificate
	// to serve: the webhook configurations point the API server at it.
	Webhook envtest.WebhookInstallOptions

	env *envtest.Environment
	kcm *ControllerManager
}

// Start starts the control plane, installs the CRDs and webhook configurations and
// writes the administrator's kubeconfig into opts.Dir.
func Start(opts Options) (*Cluster, error) {
	for _, bin := range []string{"etcd", "kube-apiserver", "kube-controller-manager"} {
		if _, err := os.Stat(filepath.Join(opts.BinDir, bin)); err != nil {
			return nil, fmt.Errorf("%s not found in %s: run `make controlplane` once to build it from Go modules (about 15 minutes on 2 cores)", bin, opts.BinDir)
		}
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", opts.Dir, err)
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: opts.BinDir,
		CRDDirectoryPaths:     []string{filepath.Join(opts.ConfigDir, "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		WebhookInstallOptions: envtest.WebhookInstallOptions{Paths: []string{filepath.Join(opts.ConfigDir, "webhook")}},
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting etcd and kube-apiserver: %w", err)
	}
	c := &Cluster{Config: cfg, Webhook: env.WebhookInstallOptions, env: env}
	if err := c.writeKubeconfig(opts.Dir); err != nil {
		return nil, errors.Join(err, c.Stop())
	}
	if c.kcm, err = StartControllerManager(env, opts.BinDir, opts.Dir); err != nil {
		return nil, errors.Join(err, c.Stop())
	}
	return c, nil
}

// writeKubeconfig writes a kubeconfig for a system:masters user.
func (c *Cluster) writeKubeconfig(dir string) error {
	admin, err := c.env.AddUser(envtest.User{Name: "local-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("creating the administrator: %w", err)
	}
	data, err := admin.KubeConfig()
	if err != nil {
		return fmt.Errorf("writing the administrator's kubeconfig: %w", err)
	}
	c.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(c.Kubeconfig, data, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", c.Kubeconfig, err)
	}
	return nil
}

// Stop stops the controller manager, the API server and etcd.
func (c *Cluster) Stop() error {
	var errs []error
	if c.kcm != nil {
		errs = append(errs, c.kcm.Stop())
	}
	errs = append(errs, c.env.Stop())
	return errors.Join(errs...)
}

// Reachable reports whether the API server of cfg answers within timeout.
func Reachable(ctx context.Context, cfg *rest.Config, timeout time.Duration) bool {
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = timeout
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return false
	}
	_, err = dc.RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	return err == nil
}
