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
// control plane (etcd, kube-apiserver and kube-controller-manager built from Go modules),
// installed from config/default and authenticated as its ServiceAccount, so that it has only
// the generated roles, driven with the real kubectl. Run it with `make test-e2e` (part of
// `make test`).
package e2e

import (
	"context"
	"fmt"
	"io"
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
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/imagestreams/imagestream-operator/internal/localcluster"
	"github.com/imagestreams/imagestream-operator/test/distribution"
	"github.com/imagestreams/imagestream-operator/test/testenv"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

var (
	testEnv *envtest.Environment
	kcm     *localcluster.ControllerManager
	// kubeconfig is the administrator's, for kubectl.
	kubeconfig string
	// adminClient is the administrator's client.
	adminClient client.Client
	manager     *exec.Cmd
	// managerExited is closed when bin/manager has exited.
	managerExited chan struct{}
	// dockerHubMirror stands in for docker.io (--registry-mirrors).
	dockerHubMirror *testregistry.Registry
	// managerOutput is what bin/manager printed (it also goes to GinkgoWriter).
	managerOutput = &syncBuffer{}
	// integrated is the integrated registry (CNCF Distribution), whose push notifications
	// go to the operator's receiver at receiverAddr.
	integrated   *distribution.Registry
	receiverAddr string
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "e2e suite")
}

var _ = BeforeSuite(func() {
	ctx := context.Background()
	dir := GinkgoT().TempDir()
	By("starting the local control plane")
	var err error
	testEnv, err = testenv.New()
	Expect(err).NotTo(HaveOccurred())
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	kcm, err = localcluster.StartControllerManager(testEnv, testenv.BinDir(), dir)
	Expect(err).NotTo(HaveOccurred())
	adminClient, err = client.New(cfg, client.Options{Scheme: scheme.Scheme})
	Expect(err).NotTo(HaveOccurred())

	admin, err := testEnv.AddUser(envtest.User{Name: "e2e-admin", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	config, err := admin.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	kubeconfig = filepath.Join(dir, "kubeconfig")
	Expect(os.WriteFile(kubeconfig, config, 0o600)).To(Succeed())

	By("installing the operator's namespace, ServiceAccount, roles and webhook configurations from config/default")
	webhookAddr := freeAddress()
	installOperator(ctx, adminClient, webhookAddr)
	operatorKubeconfig := filepath.Join(dir, "operator.kubeconfig")
	serviceAccountKubeconfig(ctx, cfg, operatorKubeconfig)

	By("starting a local mirror of Docker Hub with the images config/samples names")
	dockerHubMirror, err = testregistry.Start(testregistry.Options{})
	Expect(err).NotTo(HaveOccurred())
	for _, image := range []string{"library/python:3.12", "library/busybox:latest"} {
		repository, tag, _ := strings.Cut(image, ":")
		_, err := dockerHubMirror.PushImage(repository, tag, testregistry.ImageSpec{Cmd: []string{"sh"}})
		Expect(err).NotTo(HaveOccurred())
	}

	By("starting CNCF Distribution as the integrated registry, notifying the operator's receiver")
	receiverAddr = freeAddress()
	integrated, err = distribution.Start(distribution.Options{Dir: filepath.Join(dir, "integrated-registry"),
		NotifyURL: "https://" + receiverAddr + "/distribution", Token: notificationToken, Output: GinkgoWriter})
	Expect(err).NotTo(HaveOccurred())
	Expect(adminClient.Create(ctx, notificationTokenSecret())).To(Succeed())

	By("starting bin/manager as the operator's ServiceAccount, with its webhooks and self-managed certificates")
	probeAddr := freeAddress()
	_, webhookPort, err := net.SplitHostPort(webhookAddr)
	Expect(err).NotTo(HaveOccurred())
	manager = exec.Command(filepath.Join(testenv.RepoRoot(), "bin", "manager"),
		// config/manager's arguments ...
		"--leader-elect", "--health-probe-bind-address="+probeAddr,
		// ... and what differs on this machine: no metrics Service, the webhooks served on a
		// loopback port that the webhook configurations name by URL,
		"--metrics-bind-address=0", "--webhook-port="+webhookPort, "--webhook-cert-path="+filepath.Join(dir, "webhook-certs"),
		"--webhook-cert-extra-hosts=127.0.0.1",
		// and Docker Hub mirrored by a local registry, as in an air-gapped cluster: the
		// samples name docker.io, which the operator must not try to reach from here.
		"--registry-mirrors=docker.io=http://"+dockerHubMirror.Host(), "--mirror-source-policy=NeverContactSource",
		// The integrated registry's pushes arrive at the notification receiver, which serves
		// a certificate of the registry's CA; the operator trusts that CA (SSL_CERT_FILE).
		"--registry-hostname="+integrated.Host, "--notification-bind-address="+receiverAddr,
		"--notification-cert-path="+integrated.CertDir, "--notification-token-secret=notification-token",
		"--create-streams-on-push")
	manager.Env = append(os.Environ(), "KUBECONFIG="+operatorKubeconfig, "POD_NAMESPACE="+operatorNamespace,
		"SSL_CERT_FILE="+integrated.CAFile)
	manager.Stdout = io.MultiWriter(GinkgoWriter, managerOutput)
	manager.Stderr = manager.Stdout
	Expect(manager.Start()).To(Succeed(), "build it first with `make build`")
	managerExited = make(chan struct{})
	go func() {
		_ = manager.Wait()
		close(managerExited)
	}()

	By("waiting until the manager is ready: its webhook certificate is trusted by the API server")
	Eventually(func(g Gomega) (int, error) {
		g.Expect(managerExited).NotTo(BeClosed(), "bin/manager exited")
		resp, err := http.Get("http://" + probeAddr + "/readyz")
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}).WithTimeout(90 * time.Second).WithPolling(250 * time.Millisecond).Should(Equal(http.StatusOK))
})

var _ = AfterSuite(func() {
	if managerExited != nil {
		_ = manager.Process.Signal(os.Interrupt)
		<-managerExited
	}
	if dockerHubMirror != nil {
		dockerHubMirror.Close()
	}
	integrated.Stop()
	if kcm != nil {
		Expect(kcm.Stop()).To(Succeed())
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
	By("checking that the generated roles allowed everything the operator did")
	for _, line := range strings.Split(managerOutput.String(), "\n") {
		Expect(line).NotTo(ContainSubstring("forbidden: User \"system:serviceaccount:"),
			"the operator's ServiceAccount lacks a permission; add an RBAC marker")
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
	addr, err := testenv.FreeAddress()
	Expect(err).NotTo(HaveOccurred())
	return addr
}

// deploymentImage returns a poll of the image of the first container of deployment/name.
func deploymentImage(ns, name string) func() (string, error) {
	return func() (string, error) {
		return kubectl("get", "deployment/"+name, "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
	}
}

// replicaSetImages returns a poll of the images of the first containers of the ReplicaSets
// of ns, space-separated: what kube-controller-manager rolled out.
func replicaSetImages(ns string) func() (string, error) {
	return func() (string, error) {
		return kubectl("get", "replicasets", "-n", ns, "-o", "jsonpath={.items[*].spec.template.spec.containers[0].image}")
	}
}
