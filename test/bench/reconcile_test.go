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
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/controller"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

const (
	// scheduleInterval is the operator's default --scheduled-import-interval.
	scheduleInterval = 15 * time.Minute
	// schedulePerMinute is the operator's default --max-scheduled-imports-per-minute.
	schedulePerMinute = 60
)

// How a re-check of a tag is brought about.
const (
	// scheduled: the stream's scheduled-import slot comes (the reconciler's clock moves
	// on by one interval), as it does every --scheduled-import-interval.
	scheduled = "scheduled"
	// requested: a user sets the import-requested-at annotation, as `oc import-image` does.
	requested = "requested"
)

// BenchmarkRecheckUnchangedTag measures one Reconcile that re-checks a tag whose upstream
// image has not changed: on its scheduled slot, and on a user's request.
func BenchmarkRecheckUnchangedTag(b *testing.B) {
	for _, trigger := range []string{scheduled, requested} {
		b.Run(trigger, func(b *testing.B) {
			f := reconcileBench(b)
			key, _ := f.newImportedStream(b, "unchanged-"+trigger, trigger == scheduled)
			f.recheck(b, key, trigger, nil, nil) // warms up the importer (ping) and the caches
			f.measure(b, func() { f.recheck(b, key, trigger, nil, nil) })
		})
	}
}

// BenchmarkMovedTag measures one Reconcile that re-checks a tag that moved upstream to a new
// image, once the tag's history is full (--max-tag-history), as it is in steady state: the
// new image becomes the top item and the oldest one goes, with its Image object.
func BenchmarkMovedTag(b *testing.B) {
	for _, trigger := range []string{scheduled, requested} {
		b.Run(trigger, func(b *testing.B) {
			f := reconcileBench(b)
			key, repo := f.newImportedStream(b, "moved-"+trigger, trigger == scheduled)
			// move moves the tag upstream and re-checks it; once the history is full, it
			// checks that it stays full.
			move := func(full bool) {
				moveTag := func() string {
					digest, err := reg.MoveTag(repo, "latest")
					if err != nil {
						b.Fatal(err)
					}
					return digest.String()
				}
				f.recheck(b, key, trigger, moveTag, func(is *imagev1.ImageStream) error {
					if n := len(imagestream.StatusTag(&is.Status, "latest").Items); full && n != maxTagHistory {
						return fmt.Errorf("the tag has %d history items, want %d", n, maxTagHistory)
					}
					return nil
				})
			}
			for range maxTagHistory {
				move(false)
			}
			f.measure(b, func() { move(true) })
		})
	}
}

// BenchmarkNoopReconcile measures a Reconcile of a stream whose status is up to date and
// whose scheduled tag is not due: what a resync or an unrelated event costs.
func BenchmarkNoopReconcile(b *testing.B) {
	f := reconcileBench(b)
	key, _ := f.newImportedStream(b, "noop", true)
	req := ctrl.Request{NamespacedName: key}
	f.measure(b, func() {
		if _, err := f.rec.Reconcile(ctx, req); err != nil {
			b.Fatal(err)
		}
	})
}

// reconcileFixture calls ImageStreamReconciler.Reconcile directly, with a fake clock, reading
// from the cache of a manager that runs no controller, in a namespace of its own; it counts
// what the calls cost.
type reconcileFixture struct {
	ns    string
	rec   *controller.ImageStreamReconciler
	cache client.Reader
	// clock is the reconciler's clock; moving it on by scheduleInterval brings every
	// scheduled stream's next slot.
	clock *clocktesting.FakeClock
	// op counts the writes, live reads and events of the reconciler.
	op operator
	// heads, gets and requests are the registry requests of the measured Reconcile calls.
	heads, gets, requests int
}

var (
	fixtureOnce sync.Once
	fixture     *reconcileFixture
	fixtureErr  error
)

// reconcileBench returns the fixture shared by the direct Reconcile benchmarks.
func reconcileBench(b *testing.B) *reconcileFixture {
	b.Helper()
	fixtureOnce.Do(func() { fixture, fixtureErr = newReconcileFixture() })
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return fixture
}

// cacheOnlyManager drops the controllers added to it: SetupWithManager registers the
// reconciler's field indexes on the cache, and no controller races the direct calls.
type cacheOnlyManager struct{ manager.Manager }

// Add drops r.
func (cacheOnlyManager) Add(manager.Runnable) error { return nil }

// newReconcileFixture starts a manager whose cache watches one new namespace, and a
// reconciler configured with the operator's defaults (scheduled import every 15 minutes,
// at most 60 a minute) that uses it, except that registry requests are not rate-limited:
// ns/op measures the operator's work, not --registry-qps.
func newReconcileFixture() (*reconcileFixture, error) {
	ns, err := createNamespace("bench-reconcile")
	if err != nil {
		return nil, err
	}
	f := &reconcileFixture{ns: ns, clock: clocktesting.NewFakeClock(time.Now())}
	mgr, err := newManager(&f.op.writes, ns)
	if err != nil {
		return nil, err
	}
	f.rec = &controller.ImageStreamReconciler{
		Client:    mgr.GetClient(),
		APIReader: countingReader{Reader: mgr.GetAPIReader(), n: &f.op.liveReads},
		Recorder:  countingRecorder{EventRecorder: mgr.GetEventRecorder("imagestream-controller"), n: &f.op.events},
		Importer:  newImporter(-1),
		Clock:     f.clock,
		Options:   streamOptions,
		Schedule:  controller.NewSchedule(scheduleInterval, schedulePerMinute),
	}
	if err := f.rec.SetupWithManager(cacheOnlyManager{mgr}); err != nil {
		return nil, err
	}
	if _, err := startManager(ctx, mgr); err != nil {
		return nil, err
	}
	f.cache = mgr.GetCache()
	return f, nil
}

// newImportedStream pushes an image to a new repository and creates a stream whose tag
// "latest" imports it (scheduled or not), then imports it. It returns the stream's key and
// the repository.
func (f *reconcileFixture) newImportedStream(b *testing.B, name string, scheduled bool) (types.NamespacedName, string) {
	b.Helper()
	repo := "reconcile/" + name
	if _, err := reg.PushImage(repo, "latest", testregistry.ImageSpec{}); err != nil {
		b.Fatal(err)
	}
	tag := dockerTag("latest", reg.Reference(repo, "latest"))
	tag.ImportPolicy.Scheduled = scheduled
	is := &imagev1.ImageStream{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, GenerateName: name + "-"},
		Spec:       imagev1.ImageStreamSpec{Tags: []imagev1.TagReference{tag}},
	}
	if err := apiClient.Create(ctx, is); err != nil {
		b.Fatal(err)
	}
	key := client.ObjectKeyFromObject(is)
	f.waitSynced(b)
	if _, err := f.rec.Reconcile(ctx, ctrl.Request{NamespacedName: key}); err != nil {
		b.Fatal(err)
	}
	if err := apiClient.Get(ctx, key, is); err != nil {
		b.Fatal(err)
	}
	if latest := imagestream.LatestEvent(&is.Status, "latest"); latest == nil || latest.Image == "" {
		b.Fatalf("stream %s: tag latest not imported: %+v", key, is.Status)
	}
	f.waitSynced(b)
	return key, repo
}

// recheck calls prepare (when set; it returns the digest the tag must point to afterwards,
// or ""), brings about a re-check of the stream's tag "latest" by trigger and calls Reconcile
// once, timing only that call. It fails b unless the registry was asked for the tag, the
// request (if any) was observed, the tag points to the digest and check (when set) accepts
// the stream.
func (f *reconcileFixture) recheck(b *testing.B, key types.NamespacedName, trigger string,
	prepare func() string, check func(*imagev1.ImageStream) error) {
	b.Helper()
	b.StopTimer()
	var digest, annotation string
	if prepare != nil {
		digest = prepare()
	}
	switch trigger {
	case scheduled:
		f.clock.Step(scheduleInterval)
	case requested:
		annotation = f.requestImport(b, key)
	}
	reg.ResetRequests()
	writes := f.op.writes.all.Load()
	b.StartTimer()
	if _, err := f.rec.Reconcile(ctx, ctrl.Request{NamespacedName: key}); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	defer b.StartTimer()
	f.countRequests(b)

	is := &imagev1.ImageStream{}
	if err := apiClient.Get(ctx, key, is); err != nil {
		b.Fatal(err)
	}
	latest := imagestream.LatestEvent(&is.Status, "latest")
	switch {
	case latest == nil || latest.Image == "":
		b.Fatalf("stream %s: tag latest has no image", key)
	case digest != "" && latest.Image != digest:
		b.Fatalf("stream %s: tag latest points to %s, want %s", key, latest.Image, digest)
	case is.Status.ImportRequestObserved != annotation && trigger == requested:
		b.Fatalf("stream %s: importRequestObserved is %q, want %q", key, is.Status.ImportRequestObserved, annotation)
	}
	if check != nil {
		if err := check(is); err != nil {
			b.Fatalf("stream %s: %v", key, err)
		}
	}
	if f.op.writes.all.Load() != writes {
		f.waitSynced(b) // the next Reconcile must read what this one wrote
	}
}

// requestImport sets the stream's import-requested-at annotation to a new value, as a user
// does, waits until the cache has it, and returns it.
func (f *reconcileFixture) requestImport(b *testing.B, key types.NamespacedName) string {
	b.Helper()
	is := &imagev1.ImageStream{}
	if err := apiClient.Get(ctx, key, is); err != nil {
		b.Fatal(err)
	}
	requestedAt := time.Now().UTC().Format(time.RFC3339Nano)
	patch := client.MergeFrom(is.DeepCopy())
	metav1.SetMetaDataAnnotation(&is.ObjectMeta, imagev1.ImportRequestedAtAnnotation, requestedAt)
	if err := apiClient.Patch(ctx, is, patch); err != nil {
		b.Fatal(err)
	}
	f.waitSynced(b)
	return requestedAt
}

// countRequests moves the registry requests recorded since the last ResetRequests to the
// fixture's counts, and fails b unless one of them asked for a manifest: the re-check
// really went to the registry.
func (f *reconcileFixture) countRequests(b *testing.B) {
	b.Helper()
	manifests := 0
	requests := reg.Requests()
	reg.ResetRequests()
	for _, r := range requests {
		f.requests++
		switch r.Method {
		case http.MethodHead:
			f.heads++
		case http.MethodGet:
			f.gets++
		}
		if strings.Contains(r.Path, "/manifests/") {
			manifests++
		}
	}
	if manifests == 0 {
		b.Fatal("the re-check sent no manifest request to the registry")
	}
}

// measure runs op in a b.Loop and reports what the loop cost per op: registry requests,
// API writes (status writes among them), live API reads and events.
func (f *reconcileFixture) measure(b *testing.B, op func()) {
	b.Helper()
	b.StopTimer()
	reg.ResetRequests()
	f.heads, f.gets, f.requests = 0, 0, 0
	f.op.writes.all.Store(0)
	f.op.writes.status.Store(0)
	f.op.liveReads.Store(0)
	f.op.events.Store(0)
	b.StartTimer()
	for b.Loop() {
		op()
	}
	b.StopTimer()
	n := float64(b.N)
	// Requests of ops that do not count them themselves (no-op reconciles).
	heads, gets, requests := f.heads+reg.Count(http.MethodHead, ""), f.gets+reg.Count(http.MethodGet, ""), f.requests+len(reg.Requests())
	b.ReportMetric(float64(heads)/n, "HEAD/op")
	b.ReportMetric(float64(gets)/n, "GET/op")
	b.ReportMetric(float64(requests)/n, "registry-req/op")
	b.ReportMetric(float64(f.op.writes.all.Load())/n, "writes/op")
	b.ReportMetric(float64(f.op.writes.status.Load())/n, "status-writes/op")
	b.ReportMetric(float64(f.op.liveReads.Load())/n, "live-reads/op")
	b.ReportMetric(float64(f.op.events.Load())/n, "events/op")
}

// waitSynced waits until the cache holds every stream and Image of the namespace at the
// resource version the API server has, so that no Reconcile reads a stale object.
func (f *reconcileFixture) waitSynced(b *testing.B) {
	b.Helper()
	err := wait.PollUntilContextTimeout(ctx, time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		reads := []struct {
			reader client.Reader
			list   client.ObjectList
		}{
			{apiClient, &imagev1.ImageStreamList{}}, {f.cache, &imagev1.ImageStreamList{}},
			{apiClient, imageList()}, {f.cache, imageList()},
		}
		versions := make([]map[string]string, len(reads))
		for i, r := range reads {
			if err := r.reader.List(ctx, r.list, client.InNamespace(f.ns)); err != nil {
				return false, err
			}
			versions[i] = map[string]string{}
			if err := meta.EachListItem(r.list, func(o kruntime.Object) error {
				m := o.(metav1.Object)
				versions[i][m.GetName()] = m.GetResourceVersion()
				return nil
			}); err != nil {
				return false, err
			}
		}
		return maps.Equal(versions[0], versions[1]) && maps.Equal(versions[2], versions[3]), nil
	})
	if err != nil {
		b.Fatalf("waiting for the cache of namespace %s: %v", f.ns, err)
	}
}
