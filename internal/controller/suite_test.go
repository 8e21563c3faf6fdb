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

package controller

import (
	"context"
	"os"
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

	"github.com/imagestreams/imagestream-operator/internal/localcluster"
	"github.com/imagestreams/imagestream-operator/internal/registry"
	"github.com/imagestreams/imagestream-operator/test/testenv"
)

// The controller suite runs the reconcilers in a manager against a real kube-apiserver and
// etcd, importing from real in-process registries (test/testregistry).

// scheduledInterval is short so that tests see scheduled re-checks.
const scheduledInterval = 2 * time.Second

var (
	ctx       context.Context
	cancel    context.CancelFunc
	testEnv   *envtest.Environment
	k8sClient client.Client
	// kcm runs the Deployment, ReplicaSet, StatefulSet, DaemonSet, Job and CronJob
	// controllers, so that trigger tests see rollouts.
	kcm    *localcluster.ControllerManager
	kcmDir string
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	RunSpecs(t, "Controller Suite")
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
	kcmDir, err = os.MkdirTemp("", "kcm-")
	Expect(err).NotTo(HaveOccurred())
	kcm, err = localcluster.StartControllerManager(testEnv, testenv.BinDir(), kcmDir)
	Expect(err).NotTo(HaveOccurred())

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}})
	Expect(err).NotTo(HaveOccurred())
	importer := registry.NewImporter(registry.Options{
		RequestTimeout:       5 * time.Second,
		RegistryQPS:          1000, // the bulk-import test pushes hundreds of requests to one registry
		ControlPlanePlatform: registry.Platform{OS: "linux", Architecture: "amd64"},
	})
	Expect((&ImageStreamReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Recorder: mgr.GetEventRecorder("imagestream-controller"),
		Importer: importer, Clock: clock.RealClock{},
		Options:  ImageStreamOptions{MaxTagHistory: 25, RetryInterval: time.Minute, MaxImagesBulkImportedPerRepository: 50},
		Schedule: NewSchedule(scheduledInterval, 0),
	}).SetupWithManager(mgr)).To(Succeed())
	Expect((&ImageStreamImportReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Importer: importer, Clock: clock.RealClock{},
		Options: ImageStreamImportOptions{TTL: time.Hour, MaxImagesBulkImportedPerRepository: 50},
	}).SetupWithManager(mgr)).To(Succeed())
	for _, kind := range DefaultTriggerKinds {
		Expect((&TriggerReconciler{
			Client: mgr.GetClient(), Recorder: mgr.GetEventRecorder("image-trigger-controller"), Kind: kind,
		}).SetupWithManager(mgr)).To(Succeed())
	}

	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
})

var _ = AfterSuite(func() {
	cancel()
	Expect(kcm.Stop()).To(Succeed())
	Expect(testEnv.Stop()).To(Succeed())
	Expect(os.RemoveAll(kcmDir)).To(Succeed())
})
