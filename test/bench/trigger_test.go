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
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/controller"
	"github.com/imagestreams/imagestream-operator/internal/trigger"
)

const (
	// triggerMoves tag moves are timed per run of BenchmarkTriggerLatency.
	triggerMoves = 100
	// triggerTimeout bounds the wait for one rollout; it takes milliseconds.
	triggerTimeout = 30 * time.Second
)

// BenchmarkTriggerLatency measures the time from a stream's status update (the write an
// import makes when a tag moves) to the update of the Deployment whose image change trigger
// follows that tag, as a watch on the Deployment sees it: the median and the 99th percentile
// over 100 tag moves, alone in the namespace and with 1,000 other annotated Deployments
// present (each following a stream of its own, so the field index must find the one that
// follows the moved stream among them). It also reports the API writes per move (one patch
// of the Deployment). The trigger controllers run as cmd/main.go runs them, one per
// default workload kind; no kube-controller-manager runs, so no ReplicaSet is made.
func BenchmarkTriggerLatency(b *testing.B) {
	for _, others := range []int{0, 1000} {
		b.Run(fmt.Sprintf("annotated-deployments=%d", others+1), func(b *testing.B) {
			var latencies []time.Duration
			var writes int64
			for b.Loop() {
				l, w := runTriggerMoves(b, others)
				latencies = append(latencies, l...)
				writes += w
			}
			slices.Sort(latencies)
			b.ReportMetric(percentile(latencies, 50).Seconds()*1000, "p50-ms")
			b.ReportMetric(percentile(latencies, 99).Seconds()*1000, "p99-ms")
			b.ReportMetric(latencies[len(latencies)-1].Seconds()*1000, "max-ms")
			b.ReportMetric(float64(writes)/float64(len(latencies)), "writes/move")
		})
	}
}

// runTriggerMoves creates a namespace with the stream `app`, the Deployment `web` following
// `app:latest` and others Deployments following streams of their own, starts the trigger
// controllers, moves `app:latest` triggerMoves times and returns how long each move took to
// reach `web`, and the API writes the operator made during the moves.
func runTriggerMoves(b *testing.B, others int) ([]time.Duration, int64) {
	b.Helper()
	b.StopTimer() // the set-up is not timed; the moves are, so that b.Loop runs them once or twice
	ns, err := createNamespace("bench-trigger")
	if err != nil {
		b.Fatal(err)
	}
	stream := &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"}}
	if err := apiClient.Create(ctx, stream); err != nil {
		b.Fatal(err)
	}
	forEach(b, others, func(i int) error {
		return apiClient.Create(ctx, triggeredDeployment(ns, fmt.Sprintf("other%04d", i), fmt.Sprintf("other%04d:latest", i)))
	})
	web := triggeredDeployment(ns, "web", "app:latest")
	if err := apiClient.Create(ctx, web); err != nil {
		b.Fatal(err)
	}

	var writes writeCounter
	stop, err := startTriggerControllers(&writes, ns)
	if err != nil {
		b.Fatal(err)
	}
	defer stop()

	watcher, err := watchObject(&appsv1.DeploymentList{}, ns, web.Name)
	if err != nil {
		b.Fatal(err)
	}
	defer watcher.Stop()

	writesBefore := writes.all.Load()
	b.StartTimer()
	latencies := make([]time.Duration, 0, triggerMoves)
	for move := range triggerMoves {
		digest := fmt.Sprintf("sha256:%x", sha256.Sum256(fmt.Appendf(nil, "%s/%d", ns, move)))
		want := "registry.example.com/app@" + digest
		stream.Status.Tags = []imagev1.NamedTagEventList{{Tag: "latest", Items: []imagev1.TagEvent{{
			Created: metav1.Now(), DockerImageReference: want, Image: digest, Generation: 1,
		}}}}
		start := time.Now()
		if err := apiClient.Status().Update(ctx, stream); err != nil {
			b.Fatal(err)
		}
		if err := awaitWatch(watcher, func(o any) bool {
			d, ok := o.(*appsv1.Deployment)
			return ok && d.Spec.Template.Spec.Containers[0].Image == want
		}); err != nil {
			b.Fatalf("move %d: %v", move, err)
		}
		latencies = append(latencies, time.Since(start))
	}
	return latencies, writes.all.Load() - writesBefore
}

// triggeredDeployment is a Deployment whose container `web` follows the image stream tag
// from (`<stream>:<tag>`) through an image change trigger.
func triggeredDeployment(ns, name, from string) *appsv1.Deployment {
	annotation, err := trigger.Encode([]trigger.ObjectFieldTrigger{{
		From:      trigger.ObjectReference{Kind: "ImageStreamTag", Name: from},
		FieldPath: `spec.template.spec.containers[?(@.name=="web")].image`,
	}})
	if err != nil {
		panic(err) // a constant trigger always encodes
	}
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: map[string]string{imagev1.TriggersAnnotation: annotation}},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "placeholder"}}},
			},
		},
	}
}

// startTriggerControllers runs the trigger controllers of the default kinds in a manager
// watching ns whose writes are counted in writes; the returned function stops it.
func startTriggerControllers(writes *writeCounter, ns string) (func(), error) {
	mgr, err := newManager(writes, ns)
	if err != nil {
		return nil, err
	}
	if err := setupTriggerControllers(mgr); err != nil {
		return nil, err
	}
	return runManager(mgr)
}

// setupTriggerControllers adds the trigger controllers of the default kinds to mgr, as
// cmd/main.go wires them.
func setupTriggerControllers(mgr ctrl.Manager) error {
	for _, kind := range controller.DefaultTriggerKinds {
		if err := (&controller.TriggerReconciler{
			Client: mgr.GetClient(), Recorder: mgr.GetEventRecorder("image-trigger-controller"), Kind: kind,
		}).SetupWithManager(mgr); err != nil {
			return err
		}
	}
	return nil
}

// percentile returns the p-th percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank-1, 0)]
}
