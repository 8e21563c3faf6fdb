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
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// EnvironmentOptions configure StartEnvironment.
type EnvironmentOptions struct {
	Options
	// Manager is the operator executable.
	Manager string
	// ManagerArgs are its arguments; the local cluster's webhook settings are added.
	ManagerArgs []string
	// ManagerOutput receives the operator's standard output and error.
	ManagerOutput io.Writer
}

// Environment is a local control plane and registry with the operator running against them:
// what `make run` starts when no cluster answers, and what `make demo` walks through.
type Environment struct {
	Cluster  *Cluster
	Registry *Registry
	// SampleStream is the path of an ImageStream manifest importing the registry's sample.
	SampleStream string
	// SampleDigests are the digests of the sample's tags in the registry: 1.0, 1.1, latest.
	SampleDigests map[string]string

	operator *exec.Cmd
	exited   chan struct{}
	err      error
}

// sampleVersions are pushed to demo/hello when the registry starts; latest is the last.
var sampleVersions = []string{"1.0", "1.1"}

// StartEnvironment starts a local cluster and a registry holding demo/hello:1.0, :1.1 and
// :latest (= 1.1), and runs the operator against them, serving its admission webhooks with
// its own certificates as in a cluster: it keeps them in a Secret in "default", injects its
// CA into the webhook configurations (installed under their config/webhook names and called
// by URL at a loopback address) and rotates them.
func StartEnvironment(opts EnvironmentOptions) (env *Environment, err error) {
	env = &Environment{exited: make(chan struct{}), SampleDigests: map[string]string{}}
	defer func() {
		if err != nil {
			err = errors.Join(err, env.Stop())
		}
	}()
	if env.Cluster, err = Start(opts.Options); err != nil {
		return env, err
	}
	if env.Registry, err = StartRegistry("127.0.0.1:0"); err != nil {
		return env, err
	}
	for _, v := range sampleVersions {
		if err := env.pushSample(v, v); err != nil {
			return env, err
		}
	}
	if err := env.pushSample("latest", sampleVersions[len(sampleVersions)-1]); err != nil {
		return env, err
	}
	env.SampleStream = filepath.Join(opts.Dir, "hello-imagestream.yaml")
	if err := writeTemplate(env.SampleStream, sampleStream, env.Registry.Host); err != nil {
		return env, err
	}

	webhook := env.Cluster.Webhook
	args := append(append([]string{}, opts.ManagerArgs...),
		"--local-cluster="+ModeOff,
		"--webhook-port="+strconv.Itoa(webhook.LocalServingPort),
		"--webhook-cert-path="+filepath.Join(opts.Dir, "webhook-certs"),
		"--webhook-cert-management=self",
		"--webhook-cert-extra-hosts="+webhook.LocalServingHost,
		"--mutating-webhook-configuration=mutating-webhook-configuration",
		"--validating-webhook-configuration=validating-webhook-configuration")
	env.operator = exec.Command(opts.Manager, args...)
	env.operator.Env = append(os.Environ(), "KUBECONFIG="+env.Cluster.Kubeconfig, "POD_NAMESPACE=default")
	env.operator.Stdout, env.operator.Stderr = opts.ManagerOutput, opts.ManagerOutput
	// Its own process group: a Ctrl-C in the terminal reaches it once, forwarded by Stop.
	// Killed with its parent, however the parent ends.
	env.operator.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := env.operator.Start(); err != nil {
		env.operator = nil
		return env, fmt.Errorf("starting the operator: %w", err)
	}
	go func() {
		env.err = env.operator.Wait()
		close(env.exited)
	}()
	return env, nil
}

// pushSample pushes version of the sample image as demo/hello:tag.
func (e *Environment) pushSample(tag, version string) error {
	digest, err := e.Registry.PushSample("demo/hello", tag, version)
	e.SampleDigests[tag] = digest.String()
	return err
}

// Exited is closed when the operator has exited; OperatorErr then tells how.
func (e *Environment) Exited() <-chan struct{} { return e.exited }

// OperatorErr is the error the operator exited with, once Exited is closed.
func (e *Environment) OperatorErr() error { return e.err }

// Stop stops the operator (SIGTERM, then SIGKILL after 30 seconds), the registry and the
// cluster. An operator that exits on SIGTERM with a non-zero status is not an error here.
func (e *Environment) Stop() error {
	var errs []error
	if e.operator != nil {
		select {
		case <-e.exited:
		default:
			_ = e.operator.Process.Signal(syscall.SIGTERM)
			select {
			case <-e.exited:
			case <-time.After(30 * time.Second):
				_ = e.operator.Process.Kill()
				<-e.exited
			}
			var exit *exec.ExitError
			if e.err != nil && !errors.As(e.err, &exit) {
				errs = append(errs, e.err)
			}
		}
	}
	if e.Registry != nil {
		errs = append(errs, e.Registry.Close())
	}
	if e.Cluster != nil {
		errs = append(errs, e.Cluster.Stop())
	}
	return errors.Join(errs...)
}
