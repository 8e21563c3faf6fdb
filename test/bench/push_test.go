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

package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/controller"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/notification"
	"github.com/imagestreams/imagestream-operator/test/distribution"
	"github.com/imagestreams/imagestream-operator/test/testcerts"
	"github.com/imagestreams/imagestream-operator/test/testenv"
)

// pushes are the pushes timed per run of BenchmarkPushLatency.
const pushes = 100

// notificationToken is the receiver's token in the benchmarks.
const notificationToken = "bench-notification-token-0123456789"

// BenchmarkPushLatency measures how long a push to the integrated registry takes to show:
// from the moment the push of a new image to `<ns>/app:latest` returns (the manifest is
// stored, as `docker push` ends) to the moment the stream's `latest` tag shows its digest
// (push-to-tag), and to the moment the Deployment that follows `app:latest` through an image
// change trigger runs it (push-to-deployment), both as a watch sees them: the median and the
// 99th percentile over 100 pushes. The registry is CNCF Distribution (bin/registry) over
// HTTPS, notifying the receiver over HTTPS; the receiver, the ImageStream reconciler and the
// trigger controllers run as cmd/main.go runs them, in one manager.
func BenchmarkPushLatency(b *testing.B) {
	var toTag, toDeployment []time.Duration
	var writes int64
	for b.Loop() {
		t, d, w := runPushes(b)
		toTag, toDeployment = append(toTag, t...), append(toDeployment, d...)
		writes += w
	}
	slices.Sort(toTag)
	slices.Sort(toDeployment)
	b.ReportMetric(percentile(toTag, 50).Seconds()*1000, "tag-p50-ms")
	b.ReportMetric(percentile(toTag, 99).Seconds()*1000, "tag-p99-ms")
	b.ReportMetric(percentile(toDeployment, 50).Seconds()*1000, "deployment-p50-ms")
	b.ReportMetric(percentile(toDeployment, 99).Seconds()*1000, "deployment-p99-ms")
	b.ReportMetric(float64(writes)/float64(len(toTag)), "writes/push")
}

// runPushes starts the operator with its receiver in a new namespace, creates the
// Deployment `web` following `app:latest`, pushes `app:latest` pushes times and returns,
// for each push, when the tag and the Deployment showed it, and the API writes the operator
// made meanwhile.
func runPushes(b *testing.B) (toTag, toDeployment []time.Duration, writes int64) {
	b.Helper()
	b.StopTimer() // the set-up is not timed; the pushes are, so that b.Loop runs them once or twice
	ns, err := createNamespace("bench-push")
	if err != nil {
		b.Fatal(err)
	}
	var counter writeCounter
	stop, err := startPushOperator(&counter, ns)
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	if err := apiClient.Create(ctx, triggeredDeployment(ns, "web", "app:latest")); err != nil {
		b.Fatal(err)
	}
	images := make([]v1.Image, pushes+1)
	for i := range images {
		if images[i], err = distribution.NewImage(); err != nil {
			b.Fatal(err)
		}
	}
	// The first push creates the stream; it is not timed.
	if _, err := integrated.Push(ctx, ns+"/app", "latest", images[pushes]); err != nil {
		b.Fatal(err)
	}
	streamWatch, err := watchObject(&imagev1.ImageStreamList{}, ns, "app")
	if err != nil {
		b.Fatal(err)
	}
	defer streamWatch.Stop()
	deploymentWatch, err := watchObject(&appsv1.DeploymentList{}, ns, "web")
	if err != nil {
		b.Fatal(err)
	}
	defer deploymentWatch.Stop()

	before := counter.all.Load()
	b.StartTimer()
	for i := range pushes {
		digest, err := integrated.Push(ctx, ns+"/app", "latest", images[i])
		if err != nil {
			b.Fatal(err)
		}
		pushed := time.Now()
		if err := awaitWatch(streamWatch, func(o any) bool {
			is, ok := o.(*imagev1.ImageStream)
			current := (*imagev1.TagEvent)(nil)
			if ok {
				current = imagestream.LatestEvent(&is.Status, "latest")
			}
			return current != nil && current.Image == digest.String()
		}); err != nil {
			b.Fatalf("push %d, tag: %v", i, err)
		}
		toTag = append(toTag, time.Since(pushed))
		want := integrated.Host + "/" + ns + "/app@" + digest.String()
		if err := awaitWatch(deploymentWatch, func(o any) bool {
			d, ok := o.(*appsv1.Deployment)
			return ok && d.Spec.Template.Spec.Containers[0].Image == want
		}); err != nil {
			b.Fatalf("push %d, deployment: %v", i, err)
		}
		toDeployment = append(toDeployment, time.Since(pushed))
	}
	return toTag, toDeployment, counter.all.Load() - before
}

// startPushOperator runs, in a manager watching ns whose writes are counted in writes, the
// notification receiver (integrated.Host as --registry-hostname, --create-streams-on-push,
// serving the registry's certificate at receiverAddr), the ImageStream reconciler and the
// trigger controllers of the default kinds. The returned function stops them.
func startPushOperator(writes *writeCounter, ns string) (func(), error) {
	mgr, err := newManager(writes, ns)
	if err != nil {
		return nil, err
	}
	options := streamOptions
	options.RegistryHostname = integrated.Host
	if err := (&controller.ImageStreamReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Recorder: mgr.GetEventRecorder("imagestream-controller"),
		Importer: newImporter(-1), Clock: clock.RealClock{}, Options: options,
	}).SetupWithManager(mgr); err != nil {
		return nil, err
	}
	if err := setupTriggerControllers(mgr); err != nil {
		return nil, err
	}
	receiver := &notification.Receiver{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Options: notification.Options{
		BindAddress: receiverAddr, CertDir: integrated.CertDir, Token: staticToken(notificationToken),
		RegistryHostnames: []string{integrated.Host}, CreateStreams: true,
		ClientQPS: notification.DefaultClientQPS, ClientBurst: notification.DefaultClientBurst,
		QPS: notification.DefaultQPS, Burst: notification.DefaultBurst,
	}}
	if err := receiver.SetupWithManager(mgr); err != nil {
		return nil, err
	}
	stop, err := runManager(mgr)
	if err != nil {
		return nil, err
	}
	if err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return receiver.Serving(nil) == nil, nil
	}); err != nil {
		stop()
		return nil, fmt.Errorf("the receiver did not serve within 10s: %w", err)
	}
	return stop, nil
}

// staticToken is a notification.TokenSource of a fixed token.
type staticToken string

func (t staticToken) Token(context.Context) ([]byte, error) { return []byte(t), nil }

// watchObject watches the object ns/name of the list's kind.
func watchObject(list client.ObjectList, ns, name string) (watch.Interface, error) {
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		return nil, err
	}
	return c.Watch(ctx, list, client.InNamespace(ns), client.MatchingFields{"metadata.name": name})
}

// awaitWatch returns when the watch delivers an object for which done is true.
func awaitWatch(w watch.Interface, done func(any) bool) error {
	timeout := time.NewTimer(triggerTimeout)
	defer timeout.Stop()
	for {
		select {
		case e, ok := <-w.ResultChan():
			if !ok {
				return fmt.Errorf("the watch ended")
			}
			if done(e.Object) {
				return nil
			}
		case <-timeout.C:
			return fmt.Errorf("not seen within %s", triggerTimeout)
		}
	}
}

// startIntegratedRegistry starts CNCF Distribution in dir as the integrated registry,
// notifying a receiver at a free loopback address, and makes this process trust its CA
// (SSL_CERT_FILE) before anything verifies a certificate against the system's roots.
func startIntegratedRegistry(dir string) error {
	var err error
	if receiverAddr, err = testenv.FreeAddress(); err != nil {
		return err
	}
	integrated, err = distribution.Start(distribution.Options{
		Dir: dir, NotifyURL: "https://" + receiverAddr + notification.PathDistribution, Token: notificationToken,
	})
	if err != nil {
		return fmt.Errorf("starting the integrated registry: %w", err)
	}
	return os.Setenv("SSL_CERT_FILE", filepath.Join(integrated.CertDir, testcerts.CAFile))
}
