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
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// controllers are the kube-controller-manager controllers that make workloads behave: a
// Deployment gets ReplicaSets, a CronJob gets Jobs, garbage is collected. Controllers that
// need nodes, cloud providers or service-account signing keys are left out.
const controllers = "deployment-controller,replicaset-controller,statefulset-controller,daemonset-controller," +
	"job-controller,cronjob-controller,garbage-collector-controller,namespace-controller"

// ControllerManager is a running kube-controller-manager process.
type ControllerManager struct {
	cmd  *exec.Cmd
	done chan error
	log  *os.File
}

// StartControllerManager runs kube-controller-manager from binDir against env, as a
// system:masters user; its log goes to dir/kube-controller-manager.log.
func StartControllerManager(env *envtest.Environment, binDir, dir string) (*ControllerManager, error) {
	user, err := env.AddUser(envtest.User{Name: "kube-controller-manager", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, fmt.Errorf("creating the kube-controller-manager user: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return nil, fmt.Errorf("writing the kube-controller-manager kubeconfig: %w", err)
	}
	kubeconfigPath := filepath.Join(dir, "kube-controller-manager.kubeconfig")
	if err := os.WriteFile(kubeconfigPath, kubeconfig, 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %w", kubeconfigPath, err)
	}
	log, err := os.Create(filepath.Join(dir, "kube-controller-manager.log"))
	if err != nil {
		return nil, fmt.Errorf("creating the kube-controller-manager log: %w", err)
	}
	cmd := exec.Command(filepath.Join(binDir, "kube-controller-manager"),
		"--kubeconfig="+kubeconfigPath,
		"--controllers="+controllers,
		"--leader-elect=false",
		"--secure-port=0",
		"--concurrent-deployment-syncs=10",
		"--v=1")
	cmd.Stdout, cmd.Stderr = log, log
	// Killed with its parent, even when the parent dies without stopping it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("starting kube-controller-manager: %w", err)
	}
	m := &ControllerManager{cmd: cmd, done: make(chan error, 1), log: log}
	go func() { m.done <- cmd.Wait() }()
	return m, nil
}

// Stop terminates the process and waits up to 20 seconds for it to exit.
func (m *ControllerManager) Stop() error {
	defer func() { _ = m.log.Close() }()
	select {
	case <-m.done: // already exited
		return nil
	default:
	}
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping kube-controller-manager: %w", err)
	}
	select {
	case <-m.done:
		return nil
	case <-time.After(20 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
		return nil
	}
}
