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
	"io"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// minHostSweep is the number of registry hosts remembered before idle ones are dropped.
const minHostSweep = 64

// hostLimits caps the request rate and the requests in flight per registry host, for all
// the imports of an Importer and both its transports. A zero qps or concurrency means
// unlimited.
type hostLimits struct {
	qps         rate.Limit
	burst       int
	concurrency int

	mu      sync.Mutex
	hosts   map[string]*hostLimit
	sweepAt int
}

// hostLimit is the state of one registry host.
type hostLimit struct {
	slots   chan struct{} // nil when the concurrency is unlimited
	limiter *rate.Limiter // nil when the rate is unlimited
	users   int           // requests holding or waiting for this entry, under hostLimits.mu
}

// newHostLimits returns the limits of opts (defaulted): negative values mean unlimited.
func newHostLimits(opts Options) *hostLimits {
	l := &hostLimits{burst: opts.RegistryBurst, hosts: map[string]*hostLimit{}, sweepAt: minHostSweep}
	if opts.RegistryQPS > 0 {
		l.qps = rate.Limit(opts.RegistryQPS)
	}
	if opts.MaxConcurrentRequestsPerRegistry > 0 {
		l.concurrency = opts.MaxConcurrentRequestsPerRegistry
	}
	return l
}

// enabled reports whether any limit applies.
func (l *hostLimits) enabled() bool { return l != nil && (l.qps > 0 || l.concurrency > 0) }

// acquire waits, within ctx, for a request slot and a rate token of host, and returns the
// function that releases the slot.
func (l *hostLimits) acquire(ctx context.Context, host string) (func(), error) {
	h := l.get(host)
	release := func() { l.put(h) }
	if h.slots != nil {
		select {
		case h.slots <- struct{}{}:
		case <-ctx.Done():
			release()
			return nil, waitError(host, ctx.Err())
		}
		release = func() { <-h.slots; l.put(h) }
	}
	if h.limiter != nil {
		if err := h.limiter.Wait(ctx); err != nil {
			release()
			if ctx.Err() != nil {
				return nil, waitError(host, ctx.Err())
			}
			// The wait would outlast the context's deadline: fail now rather than then.
			return nil, waitError(host, context.DeadlineExceeded)
		}
	}
	return release, nil
}

// limitWaitError is returned when the deadline of a request passes, or would pass,
// while it waits for the limits of its registry host.
type limitWaitError struct {
	host string
}

func (e *limitWaitError) Error() string {
	return "deadline exceeded waiting for the request limits of " + e.host
}

func (e *limitWaitError) Unwrap() error { return context.DeadlineExceeded }

// waitError returns the error of a wait for the limits of host ended by err: a
// *limitWaitError for a deadline, err otherwise (cancellation).
func waitError(host string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &limitWaitError{host: host}
	}
	return err
}

// get returns the entry of host, counting one more user.
func (l *hostLimits) get(host string) *hostLimit {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.hosts[host]
	if !ok {
		if len(l.hosts) >= l.sweepAt {
			l.sweep()
		}
		h = &hostLimit{}
		if l.concurrency > 0 {
			h.slots = make(chan struct{}, l.concurrency)
		}
		if l.qps > 0 {
			h.limiter = rate.NewLimiter(l.qps, l.burst)
		}
		l.hosts[host] = h
	}
	h.users++
	return h
}

// put counts one user less of an entry.
func (l *hostLimits) put(h *hostLimit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h.users--
}

// sweep forgets the hosts without users whose rate limiter is full again: a new entry
// would behave the same. It keeps the map proportional to the hosts in use.
func (l *hostLimits) sweep() {
	for host, h := range l.hosts {
		if h.users == 0 && (h.limiter == nil || h.limiter.Tokens() >= float64(l.burst)) {
			delete(l.hosts, host)
		}
	}
	l.sweepAt = max(2*len(l.hosts), minHostSweep)
}

// limitKey names the registry host of a request: lower-case, without the default port of
// its scheme, the Docker Hub names as one.
func limitKey(req *http.Request) string {
	host := strings.ToLower(req.URL.Host)
	switch {
	case req.URL.Scheme == "https":
		host = strings.TrimSuffix(host, ":443")
	case req.URL.Scheme == "http":
		host = strings.TrimSuffix(host, ":80")
	}
	if isDockerHub(host) {
		return dockerHubAliases[0]
	}
	return host
}

// limitRequests applies hostLimits to the requests sent through it. A request holds its
// slot until its response body is read to the end or closed.
type limitRequests struct {
	inner  http.RoundTripper
	limits *hostLimits
}

func (t limitRequests) RoundTrip(req *http.Request) (*http.Response, error) {
	release, err := t.limits.acquire(req.Context(), limitKey(req))
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.inner.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releaseOnDone{ReadCloser: resp.Body, release: sync.OnceFunc(release)}
	return resp, nil
}

// releaseOnDone runs release once the body is read to the end, fails or is closed.
type releaseOnDone struct {
	io.ReadCloser
	release func()
}

func (r *releaseOnDone) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err != nil {
		r.release()
	}
	return n, err
}

func (r *releaseOnDone) Close() error {
	err := r.ReadCloser.Close()
	r.release()
	return err
}
