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
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/config"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/controller"
	"github.com/imagestreams/imagestream-operator/internal/registry"
	"github.com/imagestreams/imagestream-operator/test/distribution"
	"github.com/imagestreams/imagestream-operator/test/testenv"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// The benchmarks share one control plane and one registry, started by TestMain.
var (
	// ctx lives as long as the control plane.
	ctx context.Context
	// cfg is the envtest API server's client configuration.
	cfg *rest.Config
	// apiClient plays the user: it creates streams and requests imports, and reads the API
	// server directly. Its requests are not counted.
	apiClient client.Client
	// reg is the registry the streams import from, over plain HTTP.
	reg *testregistry.Registry
	// integrated is the integrated registry, CNCF Distribution over HTTPS, notifying the
	// receiver that BenchmarkPushLatency starts at receiverAddr.
	integrated   *distribution.Registry
	receiverAddr string
)

// TestMain starts the control plane and the registry once when benchmarks are asked for, so
// that `go test ./...` without -bench does not pay for them.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		os.Exit(m.Run())
	}
	code, err := runWithEnvironment(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// runWithEnvironment runs the benchmarks against a fresh control plane and registry.
func runWithEnvironment(m *testing.M) (code int, err error) {
	logf.SetLogger(logr.Discard())
	var cancel context.CancelFunc
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "imagestream-bench-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(dir)
	if err := startIntegratedRegistry(dir); err != nil {
		return 1, err
	}
	defer integrated.Stop()

	env, err := testenv.New()
	if err != nil {
		return 1, err
	}
	if cfg, err = env.Start(); err != nil {
		return 1, fmt.Errorf("starting the control plane: %w", err)
	}
	defer func() {
		cancel()
		if stopErr := env.Stop(); stopErr != nil && err == nil {
			err = fmt.Errorf("stopping the control plane: %w", stopErr)
		}
	}()
	if apiClient, err = client.New(cfg, client.Options{Scheme: scheme.Scheme}); err != nil {
		return 1, err
	}
	if reg, err = testregistry.Start(testregistry.Options{}); err != nil {
		return 1, err
	}
	defer reg.Close()
	return m.Run(), nil
}

// writeCounter counts the API writes made through a client: creates, updates, patches,
// applies and deletes, of objects and of their subresources (status).
type writeCounter struct {
	all, status atomic.Int64
	// statusWritten, when set, is called with each object whose status was written, as
	// the API server returned it.
	statusWritten func(client.Object)
}

// funcs are the interceptor functions that count writes and pass them on.
func (w *writeCounter) funcs() interceptor.Funcs {
	count := func(sub bool) {
		w.all.Add(1)
		if sub {
			w.status.Add(1)
		}
	}
	written := func(obj client.Object, err error) error {
		if err == nil && w.statusWritten != nil {
			w.statusWritten(obj)
		}
		return err
	}
	return interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			count(false)
			return c.Create(ctx, obj, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			count(false)
			return c.Update(ctx, obj, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			count(false)
			return c.Patch(ctx, obj, patch, opts...)
		},
		Apply: func(ctx context.Context, c client.WithWatch, obj kruntime.ApplyConfiguration, opts ...client.ApplyOption) error {
			count(false)
			return c.Apply(ctx, obj, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			count(false)
			return c.Delete(ctx, obj, opts...)
		},
		DeleteAllOf: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteAllOfOption) error {
			count(false)
			return c.DeleteAllOf(ctx, obj, opts...)
		},
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			count(true)
			return written(obj, c.SubResource(sub).Update(ctx, obj, opts...))
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			count(true)
			return written(obj, c.SubResource(sub).Patch(ctx, obj, patch, opts...))
		},
		SubResourceApply: func(ctx context.Context, c client.Client, sub string, obj kruntime.ApplyConfiguration, opts ...client.SubResourceApplyOption) error {
			count(true)
			return c.SubResource(sub).Apply(ctx, obj, opts...)
		},
	}
}

// newManager returns a manager configured as cmd/main.go configures the operator's (no
// client-side rate limit, as ctrl.GetConfig sets), whose client counts its writes in writes
// and whose cache watches only namespace ns, so that a benchmark's operator sees its own
// streams and not those the other benchmarks left behind. Controller name validation is
// off: several managers run in one process.
func newManager(writes *writeCounter, ns string) (ctrl.Manager, error) {
	mgrCfg := rest.CopyConfig(cfg)
	mgrCfg.QPS = -1
	skipNameValidation := true
	return ctrl.NewManager(mgrCfg, ctrl.Options{
		Scheme:     scheme.Scheme,
		Metrics:    metricsserver.Options{BindAddress: "0"},
		Cache:      cache.Options{DefaultNamespaces: map[string]cache.Config{ns: {}}},
		Controller: config.Controller{SkipNameValidation: &skipNameValidation},
		NewClient: func(c *rest.Config, opts client.Options) (client.Client, error) {
			base, err := client.NewWithWatch(c, opts)
			if err != nil {
				return nil, err
			}
			return interceptor.NewClient(base, writes.funcs()), nil
		},
	})
}

// startManager runs mgr until ctx ends and waits for its cache; the returned channel yields
// the error mgr.Start returned.
func startManager(ctx context.Context, mgr ctrl.Manager) (<-chan error, error) {
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return done, fmt.Errorf("the manager's cache did not sync: %w", context.Cause(ctx))
	}
	<-mgr.Elected()
	return done, nil
}

// runManager runs mgr until the returned function is called, which waits for it to stop.
func runManager(mgr ctrl.Manager) (func(), error) {
	mgrCtx, cancel := context.WithCancel(ctx)
	stopped, err := startManager(mgrCtx, mgr)
	stop := func() {
		cancel()
		<-stopped
	}
	if err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

// operator is the operator as cmd/main.go wires it, the ImageStream and ImageStreamImport
// reconcilers sharing one importer, running in a manager of its own that watches one
// namespace, with counters of what it costs.
type operator struct {
	// writes are the API writes of the reconcilers' client.
	writes writeCounter
	// liveReads are the reads of the uncached APIReader (pull secrets, once per import).
	liveReads atomic.Int64
	// events are the Kubernetes events recorded.
	events atomic.Int64
	stop   context.CancelFunc
	// exited is closed when the manager has stopped, with err the error it ended with.
	exited chan struct{}
	err    error
}

// startOperator starts an operator watching ns with the operator's default options except
// schedule and registryQPS (negative: unlimited). statusWritten, when set, is called with
// each stream whose status the operator wrote.
func startOperator(ns string, schedule *controller.Schedule, registryQPS float64, statusWritten func(client.Object)) (*operator, error) {
	op := &operator{exited: make(chan struct{})}
	op.writes.statusWritten = statusWritten
	mgr, err := newManager(&op.writes, ns)
	if err != nil {
		return nil, err
	}
	importer := newImporter(registryQPS)
	if err := (&controller.ImageStreamReconciler{
		Client:    mgr.GetClient(),
		APIReader: countingReader{Reader: mgr.GetAPIReader(), n: &op.liveReads},
		Recorder:  countingRecorder{EventRecorder: mgr.GetEventRecorder("imagestream-controller"), n: &op.events},
		Importer:  importer,
		Clock:     clock.RealClock{},
		Options:   streamOptions,
		Schedule:  schedule,
	}).SetupWithManager(mgr); err != nil {
		return nil, err
	}
	if err := (&controller.ImageStreamImportReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Importer: importer, Clock: clock.RealClock{},
		Options: controller.ImageStreamImportOptions{TTL: time.Hour, MaxImagesBulkImportedPerRepository: 50},
	}).SetupWithManager(mgr); err != nil {
		return nil, err
	}
	mgrCtx, stop := context.WithCancel(ctx)
	op.stop = stop
	stopped, err := startManager(mgrCtx, mgr)
	go func() {
		op.err = <-stopped
		close(op.exited)
	}()
	if err != nil {
		_ = op.Stop()
		return nil, err
	}
	return op, nil
}

// Stop stops the operator and returns the error its manager ended with.
func (op *operator) Stop() error {
	op.stop()
	<-op.exited
	return op.err
}

// createNamespace creates a namespace named after prefix.
func createNamespace(prefix string) (string, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}
	if err := apiClient.Create(ctx, ns); err != nil {
		return "", fmt.Errorf("creating a namespace: %w", err)
	}
	return ns.Name, nil
}

// dockerTag is a spec tag importing from a pull spec of the test registry, which speaks
// plain HTTP.
func dockerTag(name, from string) imagev1.TagReference {
	return imagev1.TagReference{
		Name:         name,
		From:         &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: from},
		ImportPolicy: imagev1.TagImportPolicy{Insecure: true},
	}
}

// imageList is an empty metadata-only list of Images, as the reconcilers cache them.
func imageList() *metav1.PartialObjectMetadataList {
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(schema.GroupVersionKind{Group: imagev1.GroupVersion.Group, Version: imagev1.GroupVersion.Version, Kind: "ImageList"})
	return list
}

// cpuTime returns the user and system CPU time this process has used so far: the
// operator's, and also that of the in-process registry and of the benchmark itself (the
// API server and etcd are other processes).
func cpuTime() (time.Duration, error) {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0, fmt.Errorf("reading the CPU time of the process: %w", err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()), nil
}

// controlPlaneCPUTime returns the user and system CPU time the child processes of this
// process (etcd and kube-apiserver, which envtest starts) have used so far, from
// /proc/<pid>/stat, counting 100 clock ticks a second as Linux does.
func controlPlaneCPUTime() (time.Duration, error) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, err
	}
	var ticks int64
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // the process ended
		}
		// The command name, in parentheses, may hold spaces: fields start after it.
		end := bytes.LastIndexByte(data, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(string(data[end+1:]))
		// fields[0] is field 3 of proc_pid_stat(5): state; ppid is 4, utime 14, stime 15.
		if len(fields) < 13 || fields[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		for _, f := range fields[11:13] {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing %s: %w", path, err)
			}
			ticks += n
		}
	}
	return time.Duration(ticks) * (time.Second / 100), nil
}

// heapInUse returns the bytes of heap spans in use after a full garbage collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapInuse
}

// maxTagHistory is the operator's default --max-tag-history.
const maxTagHistory = 25

// streamOptions are the operator's default ImageStream options (cmd/main.go).
var streamOptions = controller.ImageStreamOptions{
	MaxTagHistory: maxTagHistory, RetryInterval: 5 * time.Minute, MaxImagesBulkImportedPerRepository: 50,
}

// newImporter returns an importer with the operator's defaults and registryQPS requests per
// second per registry (negative: unlimited).
func newImporter(registryQPS float64) *registry.Importer {
	return registry.NewImporter(registry.Options{
		ControlPlanePlatform: registry.Platform{OS: "linux", Architecture: "amd64"},
		UserAgent:            "imagestream-operator",
		RegistryQPS:          registryQPS,
	})
}

// countingReader counts the reads of an uncached reader.
type countingReader struct {
	client.Reader
	n *atomic.Int64
}

// Get counts and reads.
func (r countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	r.n.Add(1)
	return r.Reader.Get(ctx, key, obj, opts...)
}

// List counts and lists.
func (r countingReader) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	r.n.Add(1)
	return r.Reader.List(ctx, list, opts...)
}

// countingRecorder counts the events recorded.
type countingRecorder struct {
	events.EventRecorder
	n *atomic.Int64
}

// Eventf counts and records.
func (r countingRecorder) Eventf(regarding, related kruntime.Object, eventtype, reason, action, note string, args ...any) {
	r.n.Add(1)
	r.EventRecorder.Eventf(regarding, related, eventtype, reason, action, note, args...)
}
