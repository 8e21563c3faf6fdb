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

package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// pushTags pushes n distinct images as tags t0…t(n-1) of repo and returns their digests.
func pushTags(t *testing.T, reg *testregistry.Registry, repo string, n int) []v1.Hash {
	t.Helper()
	digests := make([]v1.Hash, n)
	for i := range n {
		digests[i] = push(t, reg, repo, fmt.Sprintf("t%d", i), testregistry.ImageSpec{Seed: int64(i)})
	}
	return digests
}

// importAll imports the tags t0…t(n-1) of repo concurrently with imp.
func importAll(t *testing.T, imp *Importer, reg *testregistry.Registry, repo string, n int, kn func(string) bool) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req := tagRequest(reg, repo, fmt.Sprintf("t%d", i))
			req.Known = kn
			if _, err := imp.Import(t.Context(), req); err != nil {
				t.Errorf("import t%d: %v", i, err)
			}
		})
	}
	wg.Wait()
}

func TestConcurrentRequestsPerRegistry(t *testing.T) {
	const imports, limit = 12, 3
	reg := testregistry.New(t, testregistry.Options{})
	pushTags(t, reg, "team/app", imports)
	reg.SetDelay(20 * time.Millisecond)
	tests := []struct {
		name  string
		limit int
		check func(peak int) bool
	}{
		{"capped", limit, func(peak int) bool { return peak <= limit && peak >= 2 }},
		{"unlimited", -1, func(peak int) bool { return peak > limit }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			imp := newTestImporter(func(o *Options) {
				o.MaxConcurrentRequestsPerRegistry, o.RegistryQPS = tc.limit, -1
			})
			reg.ResetRequests()
			importAll(t, imp, reg, "team/app", imports, nil)
			peak := reg.MaxInFlight()
			t.Logf("%d requests, at most %d in flight", len(reg.Requests()), peak)
			if !tc.check(peak) {
				t.Errorf("at most %d requests in flight with a limit of %d", peak, tc.limit)
			}
		})
	}
}

func TestRequestRatePerRegistry(t *testing.T) {
	const imports, qps = 4, 20
	reg := testregistry.New(t, testregistry.Options{})
	kn := known(pushTags(t, reg, "team/app", imports)...)
	imp := newTestImporter(func(o *Options) { o.RegistryQPS, o.RegistryBurst = qps, 1 })
	reg.ResetRequests()
	start := time.Now()
	importAll(t, imp, reg, "team/app", imports, kn)
	elapsed := time.Since(start)
	n := len(reg.Requests())
	// A burst of 1 lets the first request go at once, then one every 1/qps seconds.
	if lower := time.Duration(n-1) * time.Second / qps; elapsed < lower {
		t.Errorf("%d requests in %s, want at least %s at %d requests/s", n, elapsed, lower, qps)
	}
	t.Logf("%d requests in %s", n, elapsed)
}

func TestImportDeadlineWhileWaitingForLimits(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
	imp := newTestImporter(func(o *Options) { o.RegistryQPS, o.RegistryBurst = 0.001, 1 })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	// The ping takes the only token; the next request would wait 1000s.
	_, err := imp.Import(ctx, tagRequest(reg, "team/app", "v1"))
	requireError(t, err, ReasonTimeout, "the import ran out of time waiting for its turn under the request limits of "+
		reg.Host())
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("import returned after %s, want at once", elapsed)
	}
}

// blockingTransport answers once release is closed, after signalling entered.
type blockingTransport struct {
	entered chan struct{}
	release chan struct{}
}

func (b blockingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}

func TestLimitsHonourTheContext(t *testing.T) {
	inner := blockingTransport{entered: make(chan struct{}, 4), release: make(chan struct{})}
	rt := limitRequests{inner: inner, limits: newHostLimits(Options{MaxConcurrentRequestsPerRegistry: 1, RegistryQPS: -1})}
	send := func(ctx context.Context) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://Quay.io:443/v2/", nil)
		if err != nil {
			t.Fatalf("new request: %v", err)
		}
		return rt.RoundTrip(req)
	}
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := send(t.Context())
		if err != nil {
			t.Errorf("first request: %v", err)
		}
		first <- resp
	}()
	<-inner.entered // the first request holds the only slot of quay.io

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	var wait *limitWaitError
	if _, err := send(ctx); !errors.As(err, &wait) || wait.host != "quay.io" || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("request past its deadline: %v, want a *limitWaitError for quay.io", err)
	}
	canceled, cancelNow := context.WithCancel(t.Context())
	cancelNow()
	if _, err := send(canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled request: %v, want context.Canceled", err)
	}

	close(inner.release)
	resp := <-first
	if _, err := io.ReadAll(resp.Body); err != nil { // reading to the end frees the slot
		t.Fatalf("read: %v", err)
	}
	resp, err := send(t.Context())
	if err != nil {
		t.Fatalf("request after the slot was freed: %v", err)
	}
	_ = resp.Body.Close()

	rate := newHostLimits(Options{RegistryQPS: 0.001, RegistryBurst: 1, MaxConcurrentRequestsPerRegistry: -1})
	release, err := rate.acquire(t.Context(), "quay.io")
	if err != nil {
		t.Fatalf("first token: %v", err)
	}
	release()
	deadline, cancelDeadline := context.WithTimeout(t.Context(), time.Minute)
	defer cancelDeadline()
	start := time.Now()
	if _, err := rate.acquire(deadline, "quay.io"); !errors.As(err, &wait) {
		t.Errorf("token 1000s away with a 1m deadline: %v, want a *limitWaitError", err)
	}
	if _, err := rate.acquire(canceled, "quay.io"); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled wait for a token: %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("waits returned after %s, want at once", elapsed)
	}
}

func TestLimitKeyAndSweep(t *testing.T) {
	for raw, want := range map[string]string{
		"https://Quay.io:443/v2/":        "quay.io",
		"http://registry.local:80/v2/":   "registry.local",
		"http://registry.local:5000/v2/": "registry.local:5000",
		"https://index.docker.io/v2/":    "docker.io",
		"https://registry-1.docker.io/":  "docker.io",
		"https://auth.docker.io/token":   "auth.docker.io",
	} {
		req, err := http.NewRequest(http.MethodGet, raw, nil)
		if err != nil {
			t.Fatalf("new request: %v", err)
		}
		if got := limitKey(req); got != want {
			t.Errorf("limitKey(%s) = %q, want %q", raw, got, want)
		}
	}

	// At 1e9 requests/s a host's bucket is full again at once: idle hosts can be forgotten.
	l := newHostLimits(Options{RegistryQPS: 1e9}.withDefaults())
	held, err := l.acquire(t.Context(), "held.example.com")
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	for i := range 3 * minHostSweep {
		release, err := l.acquire(t.Context(), fmt.Sprintf("r%d.example.com", i))
		if err != nil {
			t.Fatalf("acquire: %v", err)
		}
		release()
	}
	l.mu.Lock()
	hosts := len(l.hosts)
	_, kept := l.hosts["held.example.com"]
	l.mu.Unlock()
	if hosts > 2*minHostSweep || !kept {
		t.Errorf("%d hosts remembered (held one kept: %v), want at most %d and the held one", hosts, kept, 2*minHostSweep)
	}
	held()
}
