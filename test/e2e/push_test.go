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

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagestreams/imagestream-operator/test/testcerts"
	"github.com/imagestreams/imagestream-operator/test/testenv"
)

// The integrated registry of this suite: CNCF Distribution (bin/registry, built from its Go
// module by `make registry`) over HTTPS with filesystem storage, sending its notifications
// to the operator's receiver. Registry and receiver serve certificates of one test CA, which
// both processes trust through SSL_CERT_FILE, as a cluster's registry and operator trust
// their CA bundle.

// notificationToken is the receiver's bearer token, kept in a Secret of the operator's
// namespace (--notification-token-secret).
const notificationToken = "e2e-notification-token-0123456789abcdef"

// integratedRegistry is the running Distribution registry.
type integratedRegistry struct {
	// host is its host:port, the operator's --registry-hostname.
	host string
	// caFile is the CA that signed its certificate and the receiver's.
	caFile string
	// certDir holds the serving certificate and key that registry and receiver share.
	certDir string
	// transport trusts caFile, for pushing.
	transport http.RoundTripper
	cmd       *exec.Cmd
	exited    chan struct{}
}

// startIntegratedRegistry starts bin/registry on a free loopback port, sending its
// notifications to the receiver at receiverAddr.
func startIntegratedRegistry(dir, receiverAddr string) *integratedRegistry {
	GinkgoHelper()
	r := &integratedRegistry{host: freeAddress(), certDir: filepath.Join(dir, "integrated-registry-certs")}
	Expect(testcerts.Write(r.certDir, "127.0.0.1")).To(Succeed())
	r.caFile = filepath.Join(r.certDir, testcerts.CAFile)
	caPEM, err := os.ReadFile(r.caFile)
	Expect(err).NotTo(HaveOccurred())
	pool := x509.NewCertPool()
	Expect(pool.AppendCertsFromPEM(caPEM)).To(BeTrue())
	r.transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}

	config := filepath.Join(dir, "integrated-registry.yaml")
	Expect(os.WriteFile(config, fmt.Appendf(nil, `version: 0.1
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
    url: https://%s/distribution
    headers:
      Authorization: [Bearer %s]
    timeout: 5s
    threshold: 3
    backoff: 1s
`, filepath.Join(dir, "integrated-registry-data"), r.host, filepath.Join(r.certDir, testcerts.CertFile),
		filepath.Join(r.certDir, testcerts.KeyFile), receiverAddr, notificationToken), 0o600)).To(Succeed())

	r.cmd = exec.Command(filepath.Join(testenv.BinDir(), "registry"), "serve", config)
	r.cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+r.caFile, "OTEL_TRACES_EXPORTER=none", "OTEL_SDK_DISABLED=true")
	r.cmd.Stdout = GinkgoWriter
	r.cmd.Stderr = GinkgoWriter
	Expect(r.cmd.Start()).To(Succeed(), "build it first with `make registry`")
	r.exited = make(chan struct{})
	go func() {
		_ = r.cmd.Wait()
		close(r.exited)
	}()
	Eventually(func(g Gomega) int {
		g.Expect(r.exited).NotTo(BeClosed(), "bin/registry exited")
		resp, err := (&http.Client{Transport: r.transport}).Get("https://" + r.host + "/v2/")
		g.Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Equal(http.StatusOK))
	return r
}

// stop stops the registry.
func (r *integratedRegistry) stop() {
	if r == nil || r.cmd == nil {
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

// push pushes a new random image as repository:tag, as `docker push` would, and returns
// its digest.
func (r *integratedRegistry) push(repository, tag string) v1.Hash {
	GinkgoHelper()
	img, err := random.Image(512, 1)
	Expect(err).NotTo(HaveOccurred())
	ref, err := name.NewTag(r.host + "/" + repository + ":" + tag)
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	Expect(remote.Write(ref, img, remote.WithTransport(r.transport), remote.WithContext(ctx))).To(Succeed())
	digest, err := img.Digest()
	Expect(err).NotTo(HaveOccurred())
	return digest
}

// notificationTokenSecret is the Secret holding notificationToken.
func notificationTokenSecret() *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: "notification-token"},
		StringData: map[string]string{"token": notificationToken},
	}
}

var _ = Describe("Pushes to the integrated registry (CNCF Distribution notifications)", Ordered, func() {
	const ns = "pushed"

	BeforeAll(func() {
		_, err := kubectl("create", "namespace", ns)
		Expect(err).NotTo(HaveOccurred())
	})

	It("creates the stream on the first push and rolls out the Deployment that follows it on every push", func() {
		_, err := kubectlWithInput(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  annotations:
    image.imagestreams.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\"app\")].image"}]'
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - {name: app, image: registry.invalid/placeholder}
`, "apply", "--server-side", "-n", ns, "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		pullSpec := func(digest v1.Hash) string { return integrated.host + "/" + ns + "/app@" + digest.String() }
		current := func() (string, error) {
			return kubectl("get", "is/app", "-n", ns, "-o", `jsonpath={.status.tags[?(@.tag=="latest")].items[0].dockerImageReference}`)
		}
		image := func() (string, error) {
			return kubectl("get", "deployment/app", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
		}
		replicaSets := func() (string, error) {
			return kubectl("get", "replicasets", "-n", ns, "-o", "jsonpath={.items[*].spec.template.spec.containers[0].image}")
		}

		By("pushing app:latest: the stream appears with the tag, and the Deployment rolls out")
		first := integrated.push(ns+"/app", "latest")
		Eventually(current).WithTimeout(30 * time.Second).Should(Equal(pullSpec(first)))
		Eventually(image).WithTimeout(30 * time.Second).Should(Equal(pullSpec(first)))
		Eventually(replicaSets).WithTimeout(60 * time.Second).Should(ContainSubstring(pullSpec(first)))
		Expect(kubectl("get", "is/app", "-n", ns, "-o", "jsonpath={.status.dockerImageRepository}")).
			To(Equal(integrated.host + "/" + ns + "/app"))

		By("pushing app:latest again: the tag moves, its history keeps the first image, and a second rollout follows")
		second := integrated.push(ns+"/app", "latest")
		Eventually(current).WithTimeout(30 * time.Second).Should(Equal(pullSpec(second)))
		Eventually(image).WithTimeout(30 * time.Second).Should(Equal(pullSpec(second)))
		Eventually(replicaSets).WithTimeout(60 * time.Second).Should(ContainSubstring(pullSpec(second)))
		Expect(kubectl("get", "is/app", "-n", ns, "-o", `jsonpath={.status.tags[?(@.tag=="latest")].items[*].image}`)).
			To(Equal(second.String() + " " + first.String()))

		By("pushing another tag: it appears next to latest, imported with its metadata")
		third := integrated.push(ns+"/app", "v2")
		Eventually(func() (string, error) {
			return kubectl("get", "is/app", "-n", ns, "-o", `jsonpath={.status.tags[?(@.tag=="v2")].items[0].image}`)
		}).WithTimeout(30 * time.Second).Should(Equal(third.String()))
		Expect(kubectl("get", "images.image.imagestreams.io", "-n", ns, "sha256-"+third.Hex, "-o", "jsonpath={.dockerImageManifestMediaType}")).
			NotTo(BeEmpty())
	})

	It("refuses a notification without the token", func() {
		req, err := http.NewRequest(http.MethodPost, "https://"+receiverAddr+"/distribution",
			strings.NewReader(`{"events":[]}`))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Content-Type", "application/vnd.docker.distribution.events.v2+json")
		resp, err := (&http.Client{Transport: integrated.transport}).Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
	})
})
