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

package localcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"text/template"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
)

// Modes of the manager's --local-cluster flag.
const (
	// ModeOff runs against the configured cluster only.
	ModeOff = "off"
	// ModeAuto starts a local cluster when no configured cluster answers.
	ModeAuto = "auto"
	// ModeOn always starts a local cluster.
	ModeOn = "on"
)

// Wanted reports whether mode asks for a local cluster here: always for ModeOn; for
// ModeAuto when no kubeconfig or in-cluster configuration exists or its API server does not
// answer within five seconds.
func Wanted(ctx context.Context, mode string) (bool, error) {
	switch mode {
	case ModeOff:
		return false, nil
	case ModeOn:
		return true, nil
	case ModeAuto:
		cfg, err := ctrl.GetConfig()
		return err != nil || !Reachable(ctx, cfg, 5*time.Second), nil
	default:
		return false, fmt.Errorf("--local-cluster=%q: valid values are %s, %s and %s", mode, ModeOff, ModeAuto, ModeOn)
	}
}

// RunOptions configure RunManager.
type RunOptions struct {
	Options
	// ManagerArgs are the arguments the manager was started with; the manager runs again
	// with them, pointed at the local cluster.
	ManagerArgs []string
	// Out receives the instructions for the user.
	Out io.Writer
}

// RunManager starts a local cluster and registry, runs this executable as the operator
// against them and stops everything when the operator exits or on SIGINT or SIGTERM. The
// operator runs as a child process so that nothing is left behind however it ends.
func RunManager(opts RunOptions) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Fprintln(opts.Out, "No cluster answers: starting a local control plane (etcd, kube-apiserver, kube-controller-manager) and registry...")
	cluster, err := Start(opts.Options)
	if err != nil {
		return err
	}
	defer func() { _ = cluster.Stop() }()
	reg, err := StartRegistry("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = reg.Close() }()
	for _, v := range []string{"1.0", "1.1"} {
		if _, err := reg.PushSample("demo/hello", v, v); err != nil {
			return err
		}
	}
	if _, err := reg.PushSample("demo/hello", "latest", "1.1"); err != nil {
		return err
	}
	sample := filepath.Join(opts.Dir, "hello-imagestream.yaml")
	if err := writeTemplate(sample, sampleStream, reg.Host); err != nil {
		return err
	}

	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the operator executable: %w", err)
	}
	// The operator's own certificates, as in a cluster: it keeps them in a Secret in
	// "default", injects its CA into the webhook configurations (installed under their
	// config/webhook names, called by URL at the loopback address) and rotates them.
	args := append(append([]string{}, opts.ManagerArgs...),
		"--local-cluster="+ModeOff,
		"--webhook-port="+strconv.Itoa(cluster.Webhook.LocalServingPort),
		"--webhook-cert-path="+filepath.Join(opts.Dir, "webhook-certs"),
		"--webhook-cert-management=self",
		"--webhook-cert-extra-hosts="+cluster.Webhook.LocalServingHost,
		"--mutating-webhook-configuration=mutating-webhook-configuration",
		"--validating-webhook-configuration=validating-webhook-configuration")
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cluster.Kubeconfig, "POD_NAMESPACE=default")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// Its own process group: Ctrl-C reaches it once, forwarded from here. Killed with its parent.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the operator: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if err := writeTemplate("", instructions, struct{ Kubeconfig, Registry, Sample string }{cluster.Kubeconfig, reg.Host, sample}, opts.Out); err != nil {
		return err
	}

	select {
	case err := <-done:
		return fmt.Errorf("the operator exited: %w", err)
	case <-ctx.Done():
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := <-done; err != nil {
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				return err
			}
		}
		fmt.Fprintln(opts.Out, "Stopped the operator, the local control plane and the registry.")
		return nil
	}
}

// writeTemplate executes text with data into path, or into out[0] when path is empty.
func writeTemplate(path, text string, data any, out ...io.Writer) error {
	t := template.Must(template.New("").Parse(text))
	if path == "" {
		return t.Execute(out[0], data)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := t.Execute(f, data); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// sampleStream imports the local registry's sample image and re-checks it every
// --scheduled-import-interval.
const sampleStream = `apiVersion: image.imagestreams.io/v1
kind: ImageStream
metadata:
  name: hello
spec:
  lookupPolicy:
    local: true
  tags:
  - name: "1.0"
    from:
      kind: DockerImage
      name: {{.}}/demo/hello:1.0
    importPolicy:
      insecure: true
  - name: latest
    from:
      kind: DockerImage
      name: {{.}}/demo/hello:latest
    importPolicy:
      insecure: true
      scheduled: true
`

const instructions = `
The operator runs against a local cluster. In another terminal:

  export KUBECONFIG={{.Kubeconfig}}
  kubectl apply -f {{.Sample}}
  kubectl get imagestreams
  kubectl get imagestream hello -o yaml

The local registry at {{.Registry}} (plain HTTP) holds demo/hello:1.0, :1.1 and :latest.
Press Ctrl-C here to stop the operator, the control plane and the registry.

`
