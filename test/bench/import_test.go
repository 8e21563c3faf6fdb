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
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

const (
	// bulkStreams streams of bulkTags tags each are imported by BenchmarkImport1000Streams.
	bulkStreams = 1000
	bulkTags    = 3
	// bulkWorkers push the images and create the streams concurrently.
	bulkWorkers = 4
	// importTimeout bounds the wait for the import of a thousand streams; it takes well
	// under a minute on two cores.
	importTimeout = 10 * time.Minute
)

// bulkRun numbers the runs of BenchmarkImport1000Streams, so that each pushes its own images.
var bulkRun atomic.Int64

// BenchmarkImport1000Streams measures the operator, as cmd/main.go runs it, importing 1,000
// new streams of 3 tags each (3,000 distinct images already in the registry) in one
// namespace: the wall time from the first stream created until every tag is imported, the
// heap the operator holds afterwards (its cache of the streams and Images among it), the
// CPU time, the registry requests and API writes per tag, and how many ImageStream
// reconciles ran and how long they took in all.
//
// Registry requests are not rate-limited (--registry-qps=-1): with the default 10 requests
// a second, the 3 requests of each new tag make the import last 3,000 x 3 / 10 s = 15
// minutes, which measures the limit, not the operator. One run takes longer than any
// -benchtime duration, so it runs once.
func BenchmarkImport1000Streams(b *testing.B) {
	b.Run("registry-qps=unlimited", func(b *testing.B) {
		var total bulkResult
		for b.Loop() {
			total.add(runBulkImport(b))
		}
		n, tags := float64(b.N), float64(b.N*bulkStreams*bulkTags)
		b.ReportMetric(total.wall.Seconds()/n, "wall-s")
		b.ReportMetric(float64(total.heap)/n/(1<<20), "heap-MiB")
		b.ReportMetric(float64(total.heap)/n/bulkStreams/(1<<10), "heap-KiB/stream")
		b.ReportMetric(total.cpu.Seconds()/n, "cpu-s")
		b.ReportMetric(total.controlPlaneCPU.Seconds()/n, "apiserver+etcd-cpu-s")
		b.ReportMetric(float64(total.requests)/tags, "registry-req/tag")
		b.ReportMetric(float64(total.heads)/tags, "HEAD/tag")
		b.ReportMetric(float64(total.gets)/tags, "GET/tag")
		b.ReportMetric(float64(total.writes)/tags, "writes/tag")
		b.ReportMetric(float64(total.statusWrites)/n/bulkStreams, "status-writes/stream")
		b.ReportMetric(float64(total.events)/tags, "events/tag")
		b.ReportMetric(float64(total.reconciles)/n/bulkStreams, "reconciles/stream")
	})
}

// bulkResult is what one bulk import cost.
type bulkResult struct {
	wall, cpu, controlPlaneCPU time.Duration
	heap                       int64
	requests, heads, gets      int
	writes, statusWrites       int64
	events                     int64
	// reconciles are the ImageStream reconciles.
	reconciles uint64
}

func (r *bulkResult) add(o bulkResult) {
	r.wall += o.wall
	r.cpu += o.cpu
	r.controlPlaneCPU += o.controlPlaneCPU
	r.heap += o.heap
	r.requests += o.requests
	r.heads += o.heads
	r.gets += o.gets
	r.writes += o.writes
	r.statusWrites += o.statusWrites
	r.events += o.events
	r.reconciles += o.reconciles
}

// runBulkImport pushes the images, starts the operator in a new manager, creates the streams
// and waits until they are imported. Only the creation and the wait are timed.
func runBulkImport(b *testing.B) bulkResult {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	run := bulkRun.Add(1)
	repo := func(i int) string { return fmt.Sprintf("bulk%d/app%04d", run, i) }
	tags := []string{"v1", "v2", "v3"}
	forEach(b, bulkStreams, func(i int) error {
		for _, tag := range tags {
			if _, err := reg.PushImage(repo(i), tag, testregistry.ImageSpec{}); err != nil {
				return err
			}
		}
		return nil
	})
	ns, err := createNamespace("bench-bulk")
	if err != nil {
		b.Fatal(err)
	}
	reg.ResetRequests()
	heapBefore := heapInUse()

	imported := newImportTracker(bulkStreams)
	op, err := startOperator(ns, nil, -1, imported.observe)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := op.Stop(); err != nil {
			b.Error(err)
		}
	}()
	reconcilesBefore := reconcileCount(b, "imagestream")
	cpuBefore, err := cpuTime()
	if err != nil {
		b.Fatal(err)
	}
	controlPlaneBefore, err := controlPlaneCPUTime()
	if err != nil {
		b.Fatal(err)
	}

	b.StartTimer()
	start := time.Now()
	forEach(b, bulkStreams, func(i int) error {
		is := &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("app%04d", i)}}
		for _, tag := range tags {
			is.Spec.Tags = append(is.Spec.Tags, dockerTag(tag, reg.Reference(repo(i), tag)))
		}
		return apiClient.Create(ctx, is)
	})
	imported.wait(b, op)
	result := bulkResult{wall: time.Since(start)}
	b.StopTimer()
	waitIdle(b, op, "imagestream") // and count the reconciles that follow the status writes

	cpuAfter, err := cpuTime()
	if err != nil {
		b.Fatal(err)
	}
	controlPlaneAfter, err := controlPlaneCPUTime()
	if err != nil {
		b.Fatal(err)
	}
	result.cpu, result.controlPlaneCPU = cpuAfter-cpuBefore, controlPlaneAfter-controlPlaneBefore
	result.reconciles = reconcileCount(b, "imagestream") - reconcilesBefore
	result.writes, result.statusWrites, result.events = op.writes.all.Load(), op.writes.status.Load(), op.events.Load()
	verifyImported(b, ns, bulkStreams)
	result.requests = len(reg.Requests())
	result.heads = reg.Count(http.MethodHead, "")
	result.gets = reg.Count(http.MethodGet, "")
	reg.ResetRequests() // the registry's request log is not the operator's memory
	result.heap = int64(heapInUse()) - int64(heapBefore)
	return result
}

// importTracker learns from the operator's status writes which streams have every spec tag
// imported, and whether an import failed; waiting on it costs neither the API server nor
// the operator anything.
type importTracker struct {
	mu      sync.Mutex
	pending int
	seen    map[string]bool
	failure string
	// done is closed when pending streams have been seen imported, failed when a status
	// write shows a failed import.
	done, failed chan struct{}
}

func newImportTracker(pending int) *importTracker {
	return &importTracker{pending: pending, seen: map[string]bool{}, done: make(chan struct{}), failed: make(chan struct{})}
}

// observe records a stream whose status the operator wrote.
func (t *importTracker) observe(obj client.Object) {
	is, ok := obj.(*imagev1.ImageStream)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if failure := importFailure(is); failure != "" && t.failure == "" {
		t.failure = failure
		close(t.failed)
	}
	if t.seen[is.Name] || !tagsImported(is) {
		return
	}
	t.seen[is.Name] = true
	if t.pending--; t.pending == 0 {
		close(t.done)
	}
}

// wait returns when every stream is imported, and fails b when an import fails, the
// operator stops or importTimeout passes first.
func (t *importTracker) wait(b *testing.B, op *operator) {
	b.Helper()
	timeout := time.NewTimer(importTimeout)
	defer timeout.Stop()
	select {
	case <-t.done:
	case <-t.failed:
		t.mu.Lock()
		defer t.mu.Unlock()
		b.Fatalf("an import failed: %s", t.failure)
	case <-op.exited:
		b.Fatalf("the operator stopped: %v", op.err)
	case <-timeout.C:
		t.mu.Lock()
		defer t.mu.Unlock()
		b.Fatalf("%d streams not imported within %v", t.pending, importTimeout)
	}
}

// tagsImported reports whether every spec tag of is points to an imported image.
func tagsImported(is *imagev1.ImageStream) bool {
	for _, tag := range is.Spec.Tags {
		if latest := imagestream.LatestEvent(&is.Status, tag.Name); latest == nil || latest.Image == "" {
			return false
		}
	}
	return true
}

// importFailure describes the first failed import of a spec tag of is, or returns "".
func importFailure(is *imagev1.ImageStream) string {
	for _, tag := range is.Spec.Tags {
		if c := imagestream.ImportFailure(&is.Status, tag.Name); c != nil {
			return fmt.Sprintf("%s/%s:%s: %s: %s", is.Namespace, is.Name, tag.Name, c.Reason, c.Message)
		}
	}
	return ""
}

// verifyImported fails b unless the API server has n streams in ns, all imported.
func verifyImported(b *testing.B, ns string, n int) {
	b.Helper()
	streams := &imagev1.ImageStreamList{}
	if err := apiClient.List(ctx, streams, client.InNamespace(ns)); err != nil {
		b.Fatal(err)
	}
	if len(streams.Items) != n {
		b.Fatalf("%d streams in %s, want %d", len(streams.Items), ns, n)
	}
	for i := range streams.Items {
		if is := &streams.Items[i]; !tagsImported(is) {
			b.Fatalf("stream %s/%s not imported: %s", ns, is.Name, importFailure(is))
		}
	}
}

// reconcileCount returns how many reconciles the controllers named name have run in this
// process, from controller-runtime's metrics.
func reconcileCount(b *testing.B, name string) uint64 {
	b.Helper()
	return uint64(controllerMetric(b, "controller_runtime_reconcile_time_seconds", name))
}

// controllerMetric sums the values of the metric family of controller-runtime's registry
// labelled with the controller name: gauges and counters, and the sample counts of
// histograms.
func controllerMetric(b *testing.B, family, name string) float64 {
	b.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != family {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, label := range m.GetLabel() {
				if label.GetName() != "controller" || label.GetValue() != name {
					continue
				}
				switch {
				case m.Histogram != nil:
					sum += float64(m.GetHistogram().GetSampleCount())
				case m.Gauge != nil:
					sum += m.GetGauge().GetValue()
				case m.Counter != nil:
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}

// waitIdle waits until the controller named name has nothing queued and no reconcile
// running, twice in a row: the reconciles that the operator's own writes bring about are
// over.
func waitIdle(b *testing.B, op *operator, name string) {
	b.Helper()
	idle := 0
	waitFor(b, op, importTimeout, func() bool {
		if controllerMetric(b, "workqueue_depth", name) == 0 && controllerMetric(b, "controller_runtime_active_workers", name) == 0 {
			idle++
		} else {
			idle = 0
		}
		return idle >= 2
	})
}

// forEach calls f(0..n-1) from bulkWorkers goroutines and fails b on the first error.
func forEach(b *testing.B, n int, f func(i int) error) {
	b.Helper()
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		once  sync.Once
		first error
	)
	for range bulkWorkers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}
