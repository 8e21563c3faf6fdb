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
	"os/signal"
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

	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the operator executable: %w", err)
	}
	fmt.Fprintln(opts.Out, "No cluster answers: starting a local control plane (etcd, kube-apiserver, kube-controller-manager) and registry...")
	env, err := StartEnvironment(EnvironmentOptions{Options: opts.Options, Manager: self, ManagerArgs: opts.ManagerArgs, ManagerOutput: opts.Out})
	if err != nil {
		return err
	}
	data := struct{ Kubeconfig, Registry, Sample string }{env.Cluster.Kubeconfig, env.Registry.Host, env.SampleStream}
	if err := writeTemplate("", instructions, data, opts.Out); err != nil {
		return errors.Join(err, env.Stop())
	}
	select {
	case <-env.Exited():
		return errors.Join(fmt.Errorf("the operator exited: %w", env.OperatorErr()), env.Stop())
	case <-ctx.Done():
		if err := env.Stop(); err != nil {
			return err
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
