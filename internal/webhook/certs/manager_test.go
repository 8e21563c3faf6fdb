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

package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

const (
	mutatingName   = "mutating-webhook-configuration"
	validatingName = "validating-webhook-configuration"
	// imageStreamPath is where config/webhook sends ImageStream admission requests.
	imageStreamPath = "/validate-image-imagestreams-io-v1-imagestream"
)

func newTestManager(cfg *rest.Config, host string, port int, certDir string) ctrl.Manager {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme.Scheme,
		WebhookServer:          webhook.NewServer(webhook.Options{Host: host, Port: port, CertDir: certDir}),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	})
	Expect(err).NotTo(HaveOccurred())
	return mgr
}

func readinessProbe() *http.Request { return httptest.NewRequest(http.MethodGet, "/readyz", nil) }

func storedSecret() *corev1.Secret {
	GinkgoHelper()
	s := &corev1.Secret{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: operatorNamespace, Name: DefaultSecretName}, s)).To(Succeed())
	return s
}

// caBundles returns the caBundle of every webhook in both configurations.
func caBundles() [][]byte {
	GinkgoHelper()
	var bundles [][]byte
	mwc := &admissionregistrationv1.MutatingWebhookConfiguration{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Name: mutatingName}, mwc)).To(Succeed())
	for _, w := range mwc.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Name: validatingName}, vwc)).To(Succeed())
	for _, w := range vwc.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	Expect(len(bundles)).To(BeNumerically(">=", 3), "config/webhook has a mutating and at least two validating webhooks")
	return bundles
}

// allInjected succeeds when every webhook's caBundle is the Secret's CA bundle.
func allInjected() error {
	want := storedSecret().Data[CABundleKey]
	for _, b := range caBundles() {
		if !bytes.Equal(b, want) {
			return errString("a webhook's caBundle is not the stored CA bundle")
		}
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

var _ = Describe("Self-managed webhook certificates", Ordered, func() {
	var (
		m     *Manager
		addr  string
		host  string
		calls atomic.Int64
	)

	// servedLeaf returns the certificate the webhook server presents now.
	servedLeaf := func() *x509.Certificate {
		GinkgoHelper()
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // inspected, not trusted
		Expect(err).NotTo(HaveOccurred())
		defer func() { _ = conn.Close() }()
		return conn.ConnectionState().PeerCertificates[0]
	}
	// callWebhook creates an ImageStream, which the API server admits only through the
	// validating webhook (failurePolicy Fail).
	callWebhook := func(ctx context.Context) error {
		return k8sClient.Create(ctx, &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{GenerateName: "admitted-", Namespace: "default"}})
	}

	BeforeAll(func() {
		wo := &testEnv.WebhookInstallOptions
		host = wo.LocalServingHost
		addr = net.JoinHostPort(host, strconv.Itoa(wo.LocalServingPort))
		// The operator's process: its own certificate directory, credentials of its
		// ServiceAccount, and lifetimes short enough to see two rotations.
		mgr := newTestManager(operatorCfg, host, wo.LocalServingPort, GinkgoT().TempDir())
		mgr.GetWebhookServer().Register(imageStreamPath, &webhook.Admission{Handler: admission.HandlerFunc(
			func(context.Context, admission.Request) admission.Response {
				calls.Add(1)
				return admission.Allowed("")
			})})
		var err error
		m, err = Setup(ctx, mgr, Options{
			Namespace:                      operatorNamespace,
			SecretName:                     DefaultSecretName,
			ServiceName:                    "webhook-service",
			ExtraHosts:                     []string{host},
			MutatingWebhookConfiguration:   mutatingName,
			ValidatingWebhookConfiguration: validatingName,
			CALifetime:                     45 * time.Second,
			ServingLifetime:                15 * time.Second,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Check(readinessProbe())).To(MatchError(ContainSubstring("does not serve TLS yet")),
			"not ready before the webhook server serves")
		mgrCtx, stop := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			defer close(stopped)
			Expect(mgr.Start(mgrCtx)).To(Succeed())
		}()
		// Before the certificate directory goes.
		DeferCleanup(func() { stop(); <-stopped })
	})

	It("injects the CA into every webhook and turns ready once the served certificate verifies against it", func() {
		Eventually(func() error { return m.Check(readinessProbe()) }).WithTimeout(20 * time.Second).Should(Succeed())
		Expect(allInjected()).To(Succeed())

		secret := storedSecret()
		Expect(secret.Type).To(Equal(corev1.SecretTypeTLS))
		pool := x509.NewCertPool()
		Expect(pool.AppendCertsFromPEM(caBundles()[0])).To(BeTrue())
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: host})
		Expect(err).NotTo(HaveOccurred(), "the served certificate verifies against the injected caBundle")
		Expect(conn.Close()).To(Succeed())

		before := calls.Load()
		Expect(callWebhook(ctx)).To(Succeed())
		Expect(calls.Load()).To(BeNumerically(">", before), "the API server called the webhook")
	})

	It("re-injects a caBundle that something reset", func() {
		// As a GitOps tool re-applying config/webhook would: no caBundle, or an old one.
		mwc := &admissionregistrationv1.MutatingWebhookConfiguration{}
		Expect(k8sClient.Get(ctx, types.NamespacedName{Name: mutatingName}, mwc)).To(Succeed())
		for i := range mwc.Webhooks {
			mwc.Webhooks[i].ClientConfig.CABundle = nil
		}
		Expect(k8sClient.Update(ctx, mwc)).To(Succeed())
		vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		Expect(k8sClient.Get(ctx, types.NamespacedName{Name: validatingName}, vwc)).To(Succeed())
		for i := range vwc.Webhooks {
			vwc.Webhooks[i].ClientConfig.CABundle = testEnv.WebhookInstallOptions.LocalServingCAData
		}
		Expect(k8sClient.Update(ctx, vwc)).To(Succeed())

		Eventually(allInjected).WithTimeout(10 * time.Second).Should(Succeed())
		Eventually(func() error { return m.Check(readinessProbe()) }).WithTimeout(10 * time.Second).Should(Succeed())
		Expect(callWebhook(ctx)).To(Succeed())
	})

	It("replaces the serving certificate and then the CA before they expire, while webhook calls keep succeeding", func() {
		// Webhook calls all along, one at a time.
		var (
			mu       sync.Mutex
			failures []error
			made     atomic.Int64
		)
		callsCtx, stopCalls := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			ticker := time.NewTicker(200 * time.Millisecond)
			defer ticker.Stop()
			for {
				select {
				case <-callsCtx.Done():
					return
				case <-ticker.C:
				}
				reqCtx, cancelReq := context.WithTimeout(callsCtx, 10*time.Second)
				err := callWebhook(reqCtx)
				cancelReq()
				if callsCtx.Err() != nil {
					return
				}
				made.Add(1)
				if err != nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
				}
			}
		}()
		defer func() { stopCalls(); <-done }()

		firstLeaf := servedLeaf()
		firstCA := parseCertificates(storedSecret().Data[CABundleKey])[0]

		By("serving a new certificate from the same CA two thirds into the old one's life")
		Eventually(func() bool { return servedLeaf().Equal(firstLeaf) }).WithTimeout(30 * time.Second).Should(BeFalse())
		Expect(servedLeaf().NotAfter).To(BeTemporally(">", firstLeaf.NotAfter))
		Expect(callWebhook(ctx)).To(Succeed())

		By("making a new CA, keeping the old one in the bundle, and injecting both")
		var bundle []*x509.Certificate
		Eventually(func() bool {
			bundle = parseCertificates(storedSecret().Data[CABundleKey])
			return bundle[0].Equal(firstCA)
		}).WithTimeout(45 * time.Second).Should(BeFalse())
		Expect(bundle).To(HaveLen(2))
		Expect(bundle[1].Equal(firstCA)).To(BeTrue(), "the previous CA stays trusted until it expires")
		Eventually(allInjected).WithTimeout(10 * time.Second).Should(Succeed())

		By("serving a certificate signed by the new CA")
		newCA := bundle[0]
		Eventually(func() error {
			return verifyLeaf(time.Now(), servedLeaf(), []*x509.Certificate{newCA}, host)
		}).WithTimeout(20 * time.Second).Should(Succeed())
		Expect(callWebhook(ctx)).To(Succeed())
		Expect(m.Check(readinessProbe())).To(Succeed())

		stopCalls()
		<-done
		mu.Lock()
		defer mu.Unlock()
		Expect(failures).To(BeEmpty(), "no webhook call failed during the rotations")
		Expect(made.Load()).To(BeNumerically(">", 20))
	})
})

var _ = Describe("Replicas starting together", func() {
	It("agree on one Secret and serve the same certificate", func() {
		// Admin credentials: the Secret name differs from the one the RBAC names.
		opts := Options{
			Namespace: operatorNamespace, SecretName: "replicas-test", ServiceName: "webhook-service",
			CALifetime: DefaultCALifetime, ServingLifetime: DefaultServingLifetime,
		}
		dirs := []string{GinkgoT().TempDir(), GinkgoT().TempDir(), GinkgoT().TempDir()}
		var wg sync.WaitGroup
		errs := make([]error, len(dirs))
		for i, dir := range dirs {
			mgr := newTestManager(cfg, "127.0.0.1", 1, dir)
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = Setup(ctx, mgr, opts)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			Expect(err).NotTo(HaveOccurred())
		}
		secret := &corev1.Secret{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: "replicas-test"}, secret)).To(Succeed())
		for _, dir := range dirs {
			cert, err := os.ReadFile(filepath.Join(dir, "tls.crt"))
			Expect(err).NotTo(HaveOccurred())
			Expect(cert).To(Equal(secret.Data[corev1.TLSCertKey]))
			key, err := os.ReadFile(filepath.Join(dir, "tls.key"))
			Expect(err).NotTo(HaveOccurred())
			Expect(key).To(Equal(secret.Data[corev1.TLSPrivateKeyKey]))
		}
	})
})
