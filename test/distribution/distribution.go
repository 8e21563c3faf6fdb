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

// Package distribution runs CNCF Distribution's registry (bin/registry, built from its Go
// module by `make registry`) for end-to-end tests and benchmarks: HTTPS on a loopback port
// with a certificate of a new test CA, filesystem storage in a temporary directory, and
// push notifications sent to the operator's receiver with a bearer token. The registry
// trusts the test CA (SSL_CERT_FILE), so a receiver serving a certificate of the same CA
// (CertDir) is trusted by it, and an operator given CAFile as SSL_CERT_FILE trusts both.
package distribution

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/imagestreams/imagestream-operator/test/testcerts"
	"github.com/imagestreams/imagestream-operator/test/testenv"
)

// Options configure the registry.
type Options struct {
	// Dir is where configuration, certificates and storage go.
	Dir string
	// NotifyURL is where push notifications are posted, e.g. https://127.0.0.1:8444/distribution.
	NotifyURL string
	// Token is sent as `Authorization: Bearer <token>` with each notification.
	Token string
	// Output receives the registry's log; nil discards it.
	Output io.Writer
}

// Registry is a running Distribution registry.
type Registry struct {
	// Host is its host:port, the operator's --registry-hostname.
	Host string
	// CertDir holds the CA (testcerts.CAFile) and a serving certificate and key for
	// 127.0.0.1 (testcerts.CertFile, testcerts.KeyFile) that the receiver may serve too.
	CertDir string
	// CAFile is the test CA, for SSL_CERT_FILE.
	CAFile string
	// Transport trusts the test CA, for pushing.
	Transport http.RoundTripper
	cmd       *exec.Cmd
	exited    chan struct{}
}

// config is the registry's configuration, formatted with the storage directory, the
// address, the certificate and key files, the notification URL and the token.
const config = `version: 0.1
log:
  level: info
  accesslog: {disabled: true}
storage:
  filesystem: {rootdirectory: %s}
http:
  addr: %s
  tls:
    certificate: %s
    key: %s
notifications:
  endpoints:
  - name: imagestream-operator
    url: %s
    headers:
      Authorization: [Bearer %s]
    timeout: 5s
    threshold: 3
    backoff: 1s
`

// Start starts bin/registry and waits until it answers.
func Start(opts Options) (*Registry, error) {
	host, err := testenv.FreeAddress()
	if err != nil {
		return nil, err
	}
	r := &Registry{Host: host, CertDir: filepath.Join(opts.Dir, "registry-certs")}
	if err := testcerts.Write(r.CertDir, "127.0.0.1"); err != nil {
		return nil, err
	}
	r.CAFile = filepath.Join(r.CertDir, testcerts.CAFile)
	caPEM, err := os.ReadFile(r.CAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	r.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}

	configFile := filepath.Join(opts.Dir, "registry.yaml")
	data := fmt.Appendf(nil, config, filepath.Join(opts.Dir, "registry-data"), r.Host, filepath.Join(r.CertDir, testcerts.CertFile),
		filepath.Join(r.CertDir, testcerts.KeyFile), opts.NotifyURL, opts.Token)
	if err := os.WriteFile(configFile, data, 0o600); err != nil {
		return nil, err
	}
	binary := filepath.Join(testenv.BinDir(), "registry")
	if _, err := os.Stat(binary); err != nil {
		return nil, fmt.Errorf("%s not found: run `make registry` once to build it from its Go module", binary)
	}
	r.cmd = exec.Command(binary, "serve", configFile)
	// Trust the receiver's CA; no tracing exporter to reach.
	r.cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+r.CAFile, "OTEL_TRACES_EXPORTER=none", "OTEL_SDK_DISABLED=true")
	r.cmd.Stdout, r.cmd.Stderr = opts.Output, opts.Output
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", binary, err)
	}
	r.exited = make(chan struct{})
	go func() {
		_ = r.cmd.Wait()
		close(r.exited)
	}()
	if err := r.waitReady(30 * time.Second); err != nil {
		r.Stop()
		return nil, err
	}
	return r, nil
}

// waitReady polls /v2/ until it answers 200.
func (r *Registry) waitReady(timeout time.Duration) error {
	c := &http.Client{Transport: r.Transport, Timeout: time.Second}
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		select {
		case <-r.exited:
			return false, errors.New("bin/registry exited; its log says why")
		default:
		}
		resp, err := c.Get("https://" + r.Host + "/v2/")
		if err != nil {
			last = err
			return false, nil
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		last = fmt.Errorf("GET /v2/ answered %s", resp.Status)
		return resp.StatusCode == http.StatusOK, nil
	})
	if wait.Interrupted(err) {
		return fmt.Errorf("bin/registry did not answer within %s: %w", timeout, last)
	}
	return err
}

// Stop stops the registry.
func (r *Registry) Stop() {
	if r == nil || r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.exited:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
}

// NewImage returns a new random single-platform image.
func NewImage() (v1.Image, error) {
	return random.Image(512, 1)
}

// Push pushes img as repository:tag, as `docker push` does, and returns its digest.
func (r *Registry) Push(ctx context.Context, repository, tag string, img v1.Image) (v1.Hash, error) {
	ref, err := name.NewTag(r.Host + "/" + repository + ":" + tag)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.Write(ref, img, remote.WithTransport(r.Transport), remote.WithContext(ctx)); err != nil {
		return v1.Hash{}, fmt.Errorf("pushing %s: %w", ref, err)
	}
	return img.Digest()
}
