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
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/controller"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

const (
	// scheduledStreams streams of one scheduled tag each are re-checked by
	// BenchmarkScheduled1000Streams.
	scheduledStreams = 1000
	// scheduledInterval is the --scheduled-import-interval of the benchmark: one minute
	// stands for the default 15, so 4 cycles stand for an hour.
	scheduledInterval = time.Minute
	// sampleEvery is how often the registry's request count is sampled to find the busiest
	// second.
	sampleEvery = 100 * time.Millisecond
	// checkGrace is how long the checks of the slots that began in the measured window may
	// take to reach the registry once the window is over.
	checkGrace = 30 * time.Second
)

// BenchmarkScheduled1000Streams measures scheduled import at scale: 1,000 imported streams
// with one scheduled tag each, whose upstream images do not change, re-checked every
// minute by a freshly started operator (a restart) for a number of cycles. It reports the
// registry requests, API writes, live API reads and reconciles per check, the registry's
// busiest second, and the CPU time and heap of the process.
//
// Registry requests are not rate-limited (--registry-qps=-1): the time compression (one
// minute for 15) multiplies the request rate by 15, and the default 10 requests a second
// would measure that limit instead. It runs with no per-minute cap (4 cycles, a simulated
// hour) and with the default cap of 60 checks a minute (2 cycles), which is not compressed:
// it admits 60 checks a real minute out of the 1,000 due.
func BenchmarkScheduled1000Streams(b *testing.B) {
	ns := importScheduledStreams(b)
	for _, v := range []struct {
		name      string
		perMinute int
		cycles    int
	}{
		{"cap=unlimited", 0, 4},
		{fmt.Sprintf("cap=%d-per-minute", schedulePerMinute), schedulePerMinute, 2},
	} {
		b.Run(v.name, func(b *testing.B) {
			var total scheduledResult
			for b.Loop() {
				total.add(runScheduled(b, ns, v.perMinute, v.cycles))
			}
			n, checks := float64(b.N), float64(total.checks)
			b.ReportMetric(checks/n, "checks")
			b.ReportMetric(float64(total.due)/n, "due-checks")
			b.ReportMetric(checks/total.window.Minutes(), "checks/min")
			b.ReportMetric(float64(total.requests)/checks, "registry-req/check")
			b.ReportMetric(float64(total.heads)/checks, "HEAD/check")
			b.ReportMetric(float64(total.gets)/checks, "GET/check")
			b.ReportMetric(float64(total.writes)/checks, "writes/check")
			b.ReportMetric(float64(total.events)/checks, "events/check")
			b.ReportMetric(float64(total.liveReads)/checks, "live-reads/check")
			b.ReportMetric(float64(total.reconciles)/checks, "reconciles/check")
			b.ReportMetric(float64(total.requests)/total.window.Seconds(), "mean-req/s")
			b.ReportMetric(float64(total.peak), "peak-req/s")
			b.ReportMetric(total.cpu.Seconds()/n, "cpu-s")
			b.ReportMetric(100*total.cpu.Seconds()/total.window.Seconds(), "cpu-%")
			b.ReportMetric(float64(total.cpu.Milliseconds())/checks, "cpu-ms/check")
			b.ReportMetric(total.controlPlaneCPU.Seconds()/n, "apiserver+etcd-cpu-s")
			b.ReportMetric(float64(total.heap)/n/(1<<20), "heap-MiB")
			b.ReportMetric(float64(total.heap)/n/scheduledStreams/(1<<10), "heap-KiB/stream")
		})
	}
}

// scheduledResult is what one run of scheduled checks cost.
type scheduledResult struct {
	window, cpu, controlPlaneCPU       time.Duration
	heap                               int64
	checks, due, requests, heads, gets int
	writes, events, liveReads          int64
	reconciles                         uint64
	peak                               int
}

func (r *scheduledResult) add(o scheduledResult) {
	r.window += o.window
	r.cpu += o.cpu
	r.controlPlaneCPU += o.controlPlaneCPU
	r.heap += o.heap
	r.checks += o.checks
	r.due += o.due
	r.requests += o.requests
	r.heads += o.heads
	r.gets += o.gets
	r.writes += o.writes
	r.events += o.events
	r.liveReads += o.liveReads
	r.reconciles += o.reconciles
	r.peak = max(r.peak, o.peak)
}

// importScheduledStreams pushes one image for each of the scheduled streams, creates them
// in a new namespace and has an operator import them, then stops it. It returns the
// namespace.
func importScheduledStreams(b *testing.B) string {
	b.Helper()
	repo := func(i int) string { return fmt.Sprintf("scheduled/app%04d", i) }
	forEach(b, scheduledStreams, func(i int) error {
		_, err := reg.PushImage(repo(i), "latest", testregistry.ImageSpec{})
		return err
	})
	ns, err := createNamespace("bench-scheduled")
	if err != nil {
		b.Fatal(err)
	}
	imported := newImportTracker(scheduledStreams)
	op, err := startOperator(ns, controller.NewSchedule(scheduledInterval, 0), -1, imported.observe)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := op.Stop(); err != nil {
			b.Fatal(err)
		}
	}()
	forEach(b, scheduledStreams, func(i int) error {
		tag := dockerTag("latest", reg.Reference(repo(i), "latest"))
		tag.ImportPolicy.Scheduled = true
		is := &imagev1.ImageStream{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("app%04d", i)},
			Spec:       imagev1.ImageStreamSpec{Tags: []imagev1.TagReference{tag}},
		}
		return apiClient.Create(ctx, is)
	})
	imported.wait(b, op)
	verifyImported(b, ns, scheduledStreams)
	return ns
}

// runScheduled starts an operator with a schedule of scheduledInterval and perMinute
// checks a minute on the imported streams of ns, lets cycles intervals pass and measures
// what the checks cost. It fails b unless every stream was checked once in each slot that
// began after the operator first saw it (with no cap), and never more often.
func runScheduled(b *testing.B, ns string, perMinute, cycles int) scheduledResult {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	reg.ResetRequests()
	heapBefore := heapInUse()
	reconcilesBefore := reconcileCount(b, "imagestream")
	rate := startRequestRate()
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
	op, err := startOperator(ns, controller.NewSchedule(scheduledInterval, perMinute), -1, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := op.Stop(); err != nil {
			b.Error(err)
		}
	}()
	// The operator reconciles every stream once when it starts; that is when it first sees
	// them, and it counts their current slots as checked.
	synced := waitFor(b, op, 2*time.Minute, func() bool {
		return reconcileCount(b, "imagestream")-reconcilesBefore >= scheduledStreams
	})
	windowEnd := start.Add(time.Duration(cycles) * scheduledInterval)
	waitFor(b, op, time.Until(windowEnd)+time.Minute, func() bool { return !time.Now().Before(windowEnd) })
	keys := make([]string, scheduledStreams)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s/app%04d", ns, i)
	}
	// Due: the slots that began after the operator saw each stream and before the window
	// ended. With a cap, most of them wait.
	due := 0
	for _, key := range keys {
		due += slotsBetween(key, synced, windowEnd)
	}
	if perMinute <= 0 {
		waitFor(b, op, checkGrace, func() bool {
			checked := checksPerStream()
			for i, key := range keys {
				if checked[fmt.Sprintf("app%04d", i)] < slotsBetween(key, synced, windowEnd) {
					return false
				}
			}
			return true
		})
	}
	end := time.Now()
	b.StopTimer()

	cpuAfter, err := cpuTime()
	if err != nil {
		b.Fatal(err)
	}
	controlPlaneAfter, err := controlPlaneCPUTime()
	if err != nil {
		b.Fatal(err)
	}
	result := scheduledResult{
		window: end.Sub(start), cpu: cpuAfter - cpuBefore, controlPlaneCPU: controlPlaneAfter - controlPlaneBefore,
		due: due, peak: rate.stop(),
		writes: op.writes.all.Load(), events: op.events.Load(), liveReads: op.liveReads.Load(),
		reconciles: reconcileCount(b, "imagestream") - reconcilesBefore,
		requests:   len(reg.Requests()), heads: reg.Count(http.MethodHead, ""), gets: reg.Count(http.MethodGet, ""),
	}
	checked := checksPerStream()
	for i, key := range keys {
		n := checked[fmt.Sprintf("app%04d", i)]
		result.checks += n
		if most := slotsBetween(key, start, end); n > most {
			b.Fatalf("stream %s was checked %d times, but only %d slots began while the operator ran", key, n, most)
		}
		if least := slotsBetween(key, synced, windowEnd); perMinute <= 0 && n < least {
			b.Fatalf("stream %s was checked %d times, want at least %d", key, n, least)
		}
	}
	if perMinute > 0 {
		capped := perMinute + int(float64(perMinute)*result.window.Minutes()) + 1
		steady := int(0.9 * float64(perMinute) * end.Sub(synced).Minutes())
		if result.checks > capped || result.checks < min(steady, due) {
			b.Fatalf("%d checks in %v with a cap of %d a minute, want between %d and %d",
				result.checks, result.window.Round(time.Second), perMinute, min(steady, due), capped)
		}
	}
	reg.ResetRequests() // the registry's request log is not the operator's memory
	result.heap = int64(heapInUse()) - int64(heapBefore)
	return result
}

// slotsBetween returns how many scheduled-import slots of the stream key ("namespace/name")
// begin in (from, to]. Slots are laid on the wall clock, so the times lose their monotonic
// reading: a difference of monotonic readings may be a few microseconds short of a whole
// number of intervals.
func slotsBetween(key string, from, to time.Time) int {
	first := imagestream.CheckSlot(key, scheduledInterval, from.Round(0))
	last := imagestream.CheckSlot(key, scheduledInterval, to.Round(0))
	return int(last.Sub(first) / scheduledInterval)
}

// checksPerStream counts the manifest requests the registry received for each repository
// scheduled/<name> since the last ResetRequests: one per check of the stream <name>.
func checksPerStream() map[string]int {
	checked := map[string]int{}
	for _, r := range reg.Requests() {
		rest, ok := strings.CutPrefix(r.Path, "/v2/scheduled/")
		if !ok {
			continue
		}
		if name, _, ok := strings.Cut(rest, "/manifests/"); ok {
			checked[name]++
		}
	}
	return checked
}

// waitFor polls done every sampleEvery until it holds and returns when it did; it fails b
// when timeout passes or the operator stops first.
func waitFor(b *testing.B, op *operator, timeout time.Duration, done func() bool) time.Time {
	b.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(sampleEvery)
	defer tick.Stop()
	for !done() {
		select {
		case <-tick.C:
		case <-op.exited:
			b.Fatalf("the operator stopped: %v", op.err)
		case <-deadline.C:
			b.Fatalf("not done within %v", timeout)
		}
	}
	return time.Now()
}

// requestRate samples the number of requests the registry has recorded every sampleEvery.
type requestRate struct {
	done chan struct{}
	peak chan int
}

// startRequestRate starts sampling.
func startRequestRate() *requestRate {
	r := &requestRate{done: make(chan struct{}), peak: make(chan int, 1)}
	go func() {
		type sample struct {
			at time.Time
			n  int
		}
		tick := time.NewTicker(sampleEvery)
		defer tick.Stop()
		var samples []sample
		for {
			select {
			case now := <-tick.C:
				samples = append(samples, sample{now, len(reg.Requests())})
				continue
			case <-r.done:
			}
			// The busiest second: the most requests between two samples at most 1s apart.
			peak := 0
			for i, first := range samples {
				for _, s := range samples[i+1:] {
					if s.at.Sub(first.at) > time.Second {
						break
					}
					peak = max(peak, s.n-first.n)
				}
			}
			r.peak <- peak
			return
		}
	}()
	return r
}

// stop stops sampling and returns the most requests the registry received in one second.
func (r *requestRate) stop() int {
	close(r.done)
	return <-r.peak
}
