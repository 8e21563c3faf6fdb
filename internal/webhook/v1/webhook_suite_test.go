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

package v1

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/imagestreams/imagestream-operator/internal/registry"
	"github.com/imagestreams/imagestream-operator/test/testenv"
)

// The webhook suite installs config/webhook into a real kube-apiserver, serves the webhooks
// from a manager, and sends requests as ordinary users (RBAC is on in envtest).

var (
	ctx       context.Context
	cancel    context.CancelFunc
	k8sClient client.Client
	cfg       *rest.Config
	testEnv   *envtest.Environment
	// lookupRequests counts the requests that reached the lookup webhook.
	lookupRequests atomic.Int64
)

func TestWebhooks(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(20 * time.Second)
	RunSpecs(t, "Webhook Suite")
}

// countingHandler counts the requests that reach a webhook handler.
type countingHandler struct {
	admission.Handler
	count *atomic.Int64
}

func (h countingHandler) Handle(ctx context.Context, req admission.Request) admission.Response {
	h.count.Add(1)
	return h.Handler.Handle(ctx, req)
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.Background())

	var err error
	testEnv, err = testenv.New()
	Expect(err).NotTo(HaveOccurred())
	testEnv.WebhookInstallOptions = envtest.WebhookInstallOptions{Paths: []string{filepath.Join(testenv.RepoRoot(), "config", "webhook")}}
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme.Scheme})
	Expect(err).NotTo(HaveOccurred())

	opts := &testEnv.WebhookInstallOptions
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: scheme.Scheme,
		WebhookServer: webhook.NewServer(webhook.Options{
			Host: opts.LocalServingHost, Port: opts.LocalServingPort, CertDir: opts.LocalServingCertDir,
		}),
		Metrics: metricsserver.Options{BindAddress: "0"},
	})
	Expect(err).NotTo(HaveOccurred())

	policy, err := registry.NewPolicy(nil, []string{"blocked.example.com"})
	Expect(err).NotTo(HaveOccurred())
	access := AccessChecker{Client: mgr.GetClient()}
	Expect(SetupImageStreamWebhookWithManager(mgr, &ImageStreamValidator{Access: access, Policy: policy})).To(Succeed())
	Expect(SetupImageStreamImportWebhookWithManager(mgr, &ImageStreamImportValidator{Access: access, Policy: policy})).To(Succeed())
	lookup := &LookupMutator{Client: mgr.GetClient(), decoder: admission.NewDecoder(scheme.Scheme)}
	mgr.GetWebhookServer().Register(LookupPath, &webhook.Admission{Handler: countingHandler{Handler: lookup, count: &lookupRequests}})
	registerTriggerWebhook(mgr, access)

	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()

	dialer := &net.Dialer{Timeout: time.Second}
	addr := fmt.Sprintf("%s:%d", opts.LocalServingHost, opts.LocalServingPort)
	Eventually(func() error {
		conn, err := tls.DialWithDialer(dialer, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			return err
		}
		return conn.Close()
	}).Should(Succeed())
})

var _ = AfterSuite(func() {
	cancel()
	Expect(testEnv.Stop()).To(Succeed())
})
