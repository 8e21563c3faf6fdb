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

package notification

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/imagestreams/imagestream-operator/internal/controller"
	"github.com/imagestreams/imagestream-operator/internal/registry"
	"github.com/imagestreams/imagestream-operator/test/testcerts"
	"github.com/imagestreams/imagestream-operator/test/testenv"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// The receiver suite runs the receiver and the ImageStream reconciler in a manager against a
// real kube-apiserver and etcd. The integrated registry is an in-process registry over HTTPS
// (test/testregistry) whose CA the operator trusts through SSL_CERT_FILE, as a deployment
// trusts its registry's CA; notifications are posted as CNCF Distribution sends them
// (the end-to-end suite, test/e2e, runs the Distribution binary itself).

// testToken is the receiver's token in this suite.
const testToken = "0123456789abcdef0123456789abcdef"

var (
	ctx       context.Context
	cancel    context.CancelFunc
	testEnv   *envtest.Environment
	k8sClient client.Client
	// reg is the integrated registry.
	reg *testregistry.Registry
	// receiverURL is the TLS receiver the manager runs, with --create-streams-on-push.
	receiverURL string
	// httpsClient trusts the receiver's CA.
	httpsClient *http.Client
	// mgr is the manager; other receivers of a spec share its client and cache.
	mgr ctrl.Manager
)

func TestReceiver(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	RunSpecs(t, "Notification Receiver Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.Background())
	dir := GinkgoT().TempDir()

	var err error
	reg, err = testregistry.Start(testregistry.Options{TLS: true})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(reg.Close)
	caFile := filepath.Join(dir, "registry-ca.crt")
	Expect(os.WriteFile(caFile, reg.CAPEM(), 0o600)).To(Succeed())
	// Before anything in this process verifies a certificate with the system roots.
	Expect(os.Setenv("SSL_CERT_FILE", caFile)).To(Succeed())

	testEnv, err = testenv.New()
	Expect(err).NotTo(HaveOccurred())
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme.Scheme})
	Expect(err).NotTo(HaveOccurred())

	mgr, err = ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}})
	Expect(err).NotTo(HaveOccurred())
	Expect((&controller.ImageStreamReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Recorder: mgr.GetEventRecorder("imagestream-controller"),
		Importer: registry.NewImporter(registry.Options{RequestTimeout: 5 * time.Second, RegistryQPS: -1}),
		Clock:    clock.RealClock{},
		Options:  controller.ImageStreamOptions{RegistryHostname: reg.Host(), MaxTagHistory: 25, RetryInterval: time.Minute},
	}).SetupWithManager(mgr)).To(Succeed())

	certDir := filepath.Join(dir, "receiver-certs")
	Expect(testcerts.Write(certDir, "127.0.0.1")).To(Succeed())
	tokenFile := filepath.Join(dir, "token")
	Expect(os.WriteFile(tokenFile, []byte(testToken+"\n"), 0o600)).To(Succeed())
	addr := freeAddress()
	receiver := &Receiver{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Options: Options{
		BindAddress: addr, CertDir: certDir, Token: FileToken(tokenFile),
		RegistryHostnames: []string{reg.Host()}, CreateStreams: true,
		ClientQPS: DefaultClientQPS, ClientBurst: DefaultClientBurst, QPS: DefaultQPS, Burst: DefaultBurst,
	}}
	Expect(receiver.SetupWithManager(mgr)).To(Succeed())
	receiverURL = "https://" + addr

	caPEM, err := os.ReadFile(filepath.Join(certDir, testcerts.CAFile))
	Expect(err).NotTo(HaveOccurred())
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	httpsClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}

	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	Eventually(func() error { return receiver.Serving(nil) }).Should(Succeed())
})

var _ = AfterSuite(func() {
	cancel()
	Expect(testEnv.Stop()).To(Succeed())
})

// freeAddress returns a loopback address with a port that was free a moment ago.
func freeAddress() string {
	GinkgoHelper()
	addr, err := testenv.FreeAddress()
	Expect(err).NotTo(HaveOccurred())
	return addr
}

// post sends body to url with the content type and the Authorization header (none when
// empty) and returns the status code and the response body.
func post(c *http.Client, url, contentType, authorization string, body []byte) (int, string) {
	GinkgoHelper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", contentType)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := c.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.String()
}
