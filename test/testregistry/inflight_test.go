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
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestInFlight(t *testing.T) {
	reg := New(t, Options{})
	if status, _ := do(t, reg, http.MethodGet, "/v2/", ""); status != http.StatusOK {
		t.Fatalf("ping: %d", status)
	}
	if in, peak := reg.InFlight(), reg.MaxInFlight(); in != 0 || peak != 1 {
		t.Fatalf("after one request: in flight %d, max %d; want 0 and 1", in, peak)
	}

	reg.SetDelay(time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, reg.URL()+"/v2/", nil)
			if err != nil {
				t.Errorf("new request: %v", err)
				return
			}
			if resp, err := (&http.Client{Transport: reg.Transport()}).Do(req); err == nil {
				_ = resp.Body.Close()
			}
		})
	}
	waitFor(t, "3 requests in flight", func() bool { return reg.InFlight() == 3 })
	if peak := reg.MaxInFlight(); peak != 3 {
		t.Errorf("max in flight %d, want 3", peak)
	}
	cancel()
	wg.Wait()
	waitFor(t, "the abandoned requests to be answered", func() bool { return reg.InFlight() == 0 })
	reg.SetDelay(0)

	reg.ResetRequests()
	if peak := reg.MaxInFlight(); peak != 0 {
		t.Errorf("after ResetRequests: max in flight %d, want 0", peak)
	}
	if _, err := reg.PushImage("inflight/app", "v1", ImageSpec{}); err != nil {
		t.Fatalf("push: %v", err)
	}
	if peak := reg.MaxInFlight(); peak != 0 {
		t.Errorf("helper requests counted: max in flight %d, want 0", peak)
	}
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}
