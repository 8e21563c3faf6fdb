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

package testregistry

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// internalHeader marks requests sent by the push helpers; they are neither
// recorded nor subject to faults and delays, so fixtures never disturb the
// request counts or the failure scenarios of the code under test.
const internalHeader = "X-Testregistry-Internal"

// statusClientClosed is recorded when a delayed request is abandoned by the
// client before the delay elapsed.
const statusClientClosed = 499

// Request is one HTTP request served by the registry, as recorded by
// Registry.Requests.
type Request struct {
	Method string
	Path   string
	Status int
}

// fault is a pending injected failure registered by FailNext or CorruptNext
// (status 0).
type fault struct {
	method       string
	pathContains string
	status       int
	remaining    int
}

// Requests returns the requests served since the registry started or since
// the last ResetRequests, in the order their responses started, including
// authentication challenges, token requests and injected failures. Requests
// made by the push helpers (PushImage, PushIndex, MoveTag, Digest) are not
// recorded.
func (r *Registry) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// ResetRequests forgets the recorded requests and restarts MaxInFlight from the
// requests in flight now.
func (r *Registry) ResetRequests() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = nil
	r.maxInFlight = r.inFlight
}

// InFlight returns how many recorded requests are being handled: received, and
// not answered yet (a request waiting for its SetDelay counts).
func (r *Registry) InFlight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.inFlight
}

// MaxInFlight returns the highest InFlight since the registry started or since
// the last ResetRequests. A request stops being in flight when its response
// status is written, before the client can see the response, so a client that
// caps its requests in flight at n never makes MaxInFlight exceed n.
func (r *Registry) MaxInFlight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maxInFlight
}

// Count returns how many recorded requests have the given method (any method
// when empty) and a path containing pathContains.
func (r *Registry) Count(method, pathContains string) int {
	n := 0
	for _, req := range r.Requests() {
		if (method == "" || req.Method == method) && strings.Contains(req.Path, pathContains) {
			n++
		}
	}
	return n
}

// FailNext makes the next n requests with the given method (any method when
// empty) and a path containing pathContains fail with status, before
// authentication is checked. 429 and 503 responses carry "Retry-After: 1"; a
// 401 carries the registry's usual challenge. Faults are consumed in the
// order they were registered.
func (r *Registry) FailNext(method, pathContains string, status, n int) {
	if n <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, &fault{method: method, pathContains: pathContains, status: status, remaining: n})
}

// SetDelay delays every subsequent request by d before it is handled (0
// disables the delay). A client giving up early is recorded with status 499.
func (r *Registry) SetDelay(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delay = d
}

// CorruptNext makes the responses to the next n requests with the given method
// (any method when empty) and a path containing pathContains carry a body with
// its first byte altered, as a faulty proxy or storage would, so that clients
// verifying digests see a content integrity error. Status, headers and length
// are left alone; a response without a body (HEAD) consumes a corruption
// without effect, so pass a method to target GETs.
func (r *Registry) CorruptNext(method, pathContains string, n int) {
	if n <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.corruptions = append(r.corruptions, &fault{method: method, pathContains: pathContains, remaining: n})
}

// ResetFaults removes pending faults registered by FailNext and CorruptNext and
// the delay set by SetDelay.
func (r *Registry) ResetFaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults, r.corruptions, r.delay = nil, nil, 0
}

// instrument records requests and applies delays and faults before next.
// A request is recorded when its response status is written, before the
// client can see the response, so Requests never misses a completed request.
func (r *Registry) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get(internalHeader) != "" {
			next.ServeHTTP(w, req)
			return
		}
		r.mu.Lock()
		r.inFlight++
		r.maxInFlight = max(r.maxInFlight, r.inFlight)
		r.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, onStatus: func(status int) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.inFlight--
			r.requests = append(r.requests, Request{Method: req.Method, Path: req.URL.Path, Status: status})
		}}
		r.serveInstrumented(rec, req, next)
		rec.record(http.StatusOK)
	})
}

func (r *Registry) serveInstrumented(w http.ResponseWriter, req *http.Request, next http.Handler) {
	r.mu.Lock()
	delay := r.delay
	r.mu.Unlock()
	if delay > 0 {
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-req.Context().Done():
			timer.Stop()
			w.WriteHeader(statusClientClosed)
			return
		}
	}
	if status, ok := r.takeFault(req); ok {
		switch status {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			w.Header().Set("Retry-After", "1")
		case http.StatusUnauthorized:
			if c := r.challenge(req); c != "" {
				w.Header().Set("WWW-Authenticate", c)
			}
		}
		writeError(w, status, faultCode(status, req.URL.Path), "injected by testregistry")
		return
	}
	if _, ok := takeMatching(&r.mu, &r.corruptions, req); ok {
		w = &corruptingWriter{ResponseWriter: w}
	}
	next.ServeHTTP(w, req)
}

// takeFault consumes the first pending fault matching req.
func (r *Registry) takeFault(req *http.Request) (int, bool) {
	return takeMatching(&r.mu, &r.faults, req)
}

// takeMatching consumes the first fault of *faults matching req, under mu, and
// returns its status.
func takeMatching(mu *sync.Mutex, faults *[]*fault, req *http.Request) (int, bool) {
	mu.Lock()
	defer mu.Unlock()
	for i, f := range *faults {
		if (f.method != "" && f.method != req.Method) || !strings.Contains(req.URL.Path, f.pathContains) {
			continue
		}
		f.remaining--
		if f.remaining == 0 {
			*faults = slices.Delete(*faults, i, i+1)
		}
		return f.status, true
	}
	return 0, false
}

// corruptingWriter alters the first byte of the body written through it.
type corruptingWriter struct {
	http.ResponseWriter
	done bool
}

func (w *corruptingWriter) Write(b []byte) (int, error) {
	if w.done || len(b) == 0 {
		return w.ResponseWriter.Write(b)
	}
	w.done = true
	altered := slices.Clone(b)
	altered[0] ^= 0x01
	return w.ResponseWriter.Write(altered)
}

// faultCode picks the distribution-spec error code matching status.
func faultCode(status int, urlPath string) string {
	switch {
	case status == http.StatusUnauthorized:
		return "UNAUTHORIZED"
	case status == http.StatusForbidden:
		return "DENIED"
	case status == http.StatusTooManyRequests:
		return "TOOMANYREQUESTS"
	case status == http.StatusNotFound && strings.Contains(urlPath, "/manifests/"):
		return "MANIFEST_UNKNOWN"
	case status == http.StatusNotFound && strings.Contains(urlPath, "/blobs/"):
		return "BLOB_UNKNOWN"
	case status == http.StatusNotFound:
		return "NAME_UNKNOWN"
	default:
		return "UNKNOWN"
	}
}

// statusRecorder reports the first final status written through it.
type statusRecorder struct {
	http.ResponseWriter
	onStatus func(status int)
	recorded bool
}

func (w *statusRecorder) record(status int) {
	if !w.recorded && status >= http.StatusOK {
		w.recorded = true
		w.onStatus(status)
	}
}

func (w *statusRecorder) WriteHeader(code int) {
	w.record(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	w.record(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher when the underlying writer does.
func (w *statusRecorder) Flush() {
	w.record(http.StatusOK)
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
