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

package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/controller"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/registry"
	"github.com/imagestreams/imagestream-operator/test/testenv"
)

// The plugin suite runs the commands in-process, through a kubeconfig file, against a real
// kube-apiserver and etcd with the operator's ImageStream and ImageStreamImport controllers
// importing from a real in-process registry, and checks the text a user sees.

// clockOffset moves the plugin's clock ahead, so that every time the tests print falls in
// the same bucket ("10 minutes ago") however long a test takes.
const clockOffset = 10 * time.Minute

var (
	ctx        context.Context
	cancel     context.CancelFunc
	testEnv    *envtest.Environment
	k8sClient  client.Client
	kubeconfig string
)

func TestPlugin(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	RunSpecs(t, "Plugin Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.Background())

	var err error
	testEnv, err = testenv.New()
	Expect(err).NotTo(HaveOccurred())
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme.Scheme})
	Expect(err).NotTo(HaveOccurred())

	admin, err := testEnv.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	config, err := admin.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	kubeconfig = filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(os.WriteFile(kubeconfig, config, 0o600)).To(Succeed())

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}})
	Expect(err).NotTo(HaveOccurred())
	importer := registry.NewImporter(registry.Options{
		RequestTimeout:       5 * time.Second,
		ControlPlanePlatform: registry.Platform{OS: "linux", Architecture: "amd64"},
	})
	Expect((&controller.ImageStreamReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Recorder: mgr.GetEventRecorder("imagestream-controller"),
		Importer: importer, Clock: clock.RealClock{},
		Options:  controller.ImageStreamOptions{MaxTagHistory: 25, RetryInterval: time.Minute, MaxImagesBulkImportedPerRepository: 50},
		Schedule: controller.NewSchedule(time.Hour, 0),
	}).SetupWithManager(mgr)).To(Succeed())
	Expect((&controller.ImageStreamImportReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Importer: importer, Clock: clock.RealClock{},
		Options: controller.ImageStreamImportOptions{TTL: time.Hour, MaxImagesBulkImportedPerRepository: 50},
	}).SetupWithManager(mgr)).To(Succeed())
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
})

var _ = AfterSuite(func() {
	cancel()
	Expect(testEnv.Stop()).To(Succeed())
})

// result is what a user sees after one command.
type result struct {
	out, errOut string
	err         error
}

// run runs `kubectl imagestream ARGS -n NS` in-process through the kubeconfig file.
func run(ns string, args ...string) result {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	streams := genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut}
	cmd := newCommand(streams, func() time.Time { return time.Now().Add(clockOffset) })
	cmd.SetArgs(append([]string{"--kubeconfig", kubeconfig, "-n", ns}, args...))
	err := cmd.ExecuteContext(ctx)
	return result{out: out.String(), errOut: errOut.String(), err: err}
}

// ok runs a command that must succeed and returns its output.
func ok(ns string, args ...string) string {
	GinkgoHelper()
	r := run(ns, args...)
	Expect(r.err).NotTo(HaveOccurred(), "stderr: %s", r.errOut)
	return r.out
}

// fails runs a command that must fail and returns the error line kubectl would print.
func fails(ns string, args ...string) string {
	GinkgoHelper()
	r := run(ns, args...)
	Expect(r.err).To(HaveOccurred(), "stdout: %s", r.out)
	b := &bytes.Buffer{}
	PrintError(b, r.err)
	return b.String()
}

// newNamespace creates a namespace for one test.
func newNamespace() string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "plugin-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// stream reads an image stream.
func stream(ns, name string) *imagev1.ImageStream {
	GinkgoHelper()
	is := &imagev1.ImageStream{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, is)).To(Succeed())
	return is
}

// currentImage is the image a tag points to now ("" when none).
func currentImage(ns, name, tag string) func() string {
	return func() string {
		is := &imagev1.ImageStream{}
		if err := k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, is); err != nil {
			return ""
		}
		if e := imagestream.LatestEvent(&is.Status, tag); e != nil {
			return e.Image
		}
		return ""
	}
}

// settled waits until the operator has handled the stream's current generation.
func settled(ns, name string) {
	GinkgoHelper()
	Eventually(func() bool {
		is := stream(ns, name)
		return is.Status.ObservedGeneration == is.Generation
	}).Should(BeTrue())
}
