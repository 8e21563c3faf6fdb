//go:build e2e

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

// Package e2e runs the built binaries the way a user does: bin/manager against a local
// control plane (etcd and kube-apiserver built from Go modules), driven with the real
// kubectl. Run it with `make test-e2e` (part of `make test`).
package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/imagestreams/imagestream-operator/test/testenv"
)

var (
	testEnv    *envtest.Environment
	kubeconfig string
	manager    *exec.Cmd
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "e2e suite")
}

var _ = BeforeSuite(func() {
	By("starting the local control plane")
	var err error
	testEnv, err = testenv.New()
	Expect(err).NotTo(HaveOccurred())
	_, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())

	admin, err := testEnv.AddUser(envtest.User{Name: "e2e-admin", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	config, err := admin.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	kubeconfig = filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(os.WriteFile(kubeconfig, config, 0o600)).To(Succeed())

	By("starting bin/manager against it")
	probeAddr := freeAddress()
	manager = exec.Command(filepath.Join(testenv.RepoRoot(), "bin", "manager"),
		"--health-probe-bind-address="+probeAddr, "--metrics-bind-address=0",
		// Only the test's own registries on this machine: the samples name docker.io, which
		// the operator must not try to reach from here.
		"--allowed-registries=127.0.0.1:*")
	// The webhooks need certificates and a reachable service; e2e runs the controllers alone.
	manager.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "ENABLE_WEBHOOKS=false")
	manager.Stdout, manager.Stderr = GinkgoWriter, GinkgoWriter
	Expect(manager.Start()).To(Succeed(), "build it first with `make build`")

	Eventually(func() (int, error) {
		resp, err := http.Get("http://" + probeAddr + "/readyz")
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}).WithTimeout(60 * time.Second).WithPolling(250 * time.Millisecond).Should(Equal(http.StatusOK))
})

var _ = AfterSuite(func() {
	if manager != nil && manager.Process != nil {
		_ = manager.Process.Signal(os.Interrupt)
		_ = manager.Wait()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// kubectl runs the kubectl on PATH against the local control plane and returns its
// combined output.
func kubectl(args ...string) (string, error) {
	return kubectlWithInput("", args...)
}

// kubectlWithInput runs kubectl with stdin set to input.
func kubectlWithInput(input string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", kubeconfig}, args...)...)
	cmd.Dir = testenv.RepoRoot()
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	fmt.Fprintf(GinkgoWriter, "$ kubectl %v\n%s", args, out)
	return string(out), err
}

// freeAddress returns a loopback address with a port that was free a moment ago.
func freeAddress() string {
	GinkgoHelper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer l.Close()
	return l.Addr().String()
}
