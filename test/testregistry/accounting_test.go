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
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func testFaults(t *testing.T, reg *Registry) {
	want, err := reg.PushImage("faults/app", "v1", ImageSpec{})
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	r := ref(t, reg, "faults/app", "v1")
	noRetry := append(reg.RemoteOptions(), remote.WithRetryStatusCodes())
	fastRetry := append(reg.RemoteOptions(), remote.WithRetryBackoff(remote.Backoff{Duration: time.Millisecond, Steps: 5}))

	reg.FailNext(http.MethodHead, "/manifests/v1", http.StatusTooManyRequests, 1)
	status, retryAfter := do(t, reg, http.MethodHead, "/v2/faults/app/manifests/v1", "")
	if status != http.StatusTooManyRequests || retryAfter != "1" {
		t.Errorf("injected 429: got %d Retry-After %q", status, retryAfter)
	}
	if desc, err := remote.Head(r, noRetry...); err != nil || desc.Digest != want {
		t.Errorf("head after fault: %v %v, want %s", desc, err, want)
	}

	reg.FailNext("", "/manifests/", http.StatusNotFound, 1)
	_, err = remote.Head(r, noRetry...)
	if terr := (*transport.Error)(nil); !errors.As(err, &terr) || terr.StatusCode != http.StatusNotFound {
		t.Errorf("injected 404: got %v", err)
	}

	reg.ResetRequests()
	reg.FailNext(http.MethodGet, "/manifests/v1", http.StatusInternalServerError, 2)
	if desc, err := remote.Get(r, fastRetry...); err != nil || desc.Digest != want {
		t.Errorf("get with retries: %v %v, want %s", desc, err, want)
	}
	failed := 0
	for _, req := range reg.Requests() {
		if req.Status == http.StatusInternalServerError {
			failed++
		}
	}
	if failed != 2 || reg.Count(http.MethodGet, "/manifests/v1") != 3 {
		t.Errorf("requests %+v: want 2 failures then a success", reg.Requests())
	}
}

func testAccounting(t *testing.T, reg *Registry) {
	reg.ResetRequests()
	if _, err := reg.PushImage("acct/app", "v1", ImageSpec{}); err != nil {
		t.Fatalf("push: %v", err)
	}
	if got := reg.Requests(); len(got) != 0 {
		t.Fatalf("helper requests were recorded: %+v", got)
	}
	r := ref(t, reg, "acct/app", "v1")
	if _, err := remote.Head(r, reg.RemoteOptions()...); err != nil {
		t.Fatalf("head: %v", err)
	}
	if _, err := remote.Get(r, reg.RemoteOptions()...); err != nil {
		t.Fatalf("get: %v", err)
	}
	got := reg.Requests()
	for _, want := range []Request{
		{Method: http.MethodHead, Path: "/v2/acct/app/manifests/v1", Status: http.StatusOK},
		{Method: http.MethodGet, Path: "/v2/acct/app/manifests/v1", Status: http.StatusOK},
	} {
		if !slices.Contains(got, want) {
			t.Errorf("requests %+v: missing %+v", got, want)
		}
	}
	if reg.Count(http.MethodHead, "/manifests/") != 1 || reg.Count(http.MethodGet, "/manifests/") != 1 {
		t.Errorf("requests %+v: want exactly one HEAD and one GET manifest", got)
	}
	if reg.opts.BasicAuth != nil || reg.opts.TokenAuth != nil {
		if !slices.Contains(got, Request{Method: http.MethodGet, Path: "/v2/", Status: http.StatusUnauthorized}) {
			t.Errorf("requests %+v: missing the 401 ping", got)
		}
	}
}

func TestDelay(t *testing.T) {
	reg := New(t, Options{})
	client := &http.Client{Transport: reg.Transport(), Timeout: 200 * time.Millisecond}
	reg.SetDelay(time.Hour)
	resp, err := client.Get(reg.URL() + "/v2/")
	if err == nil {
		_ = resp.Body.Close()
	}
	var nerr interface{ Timeout() bool }
	if !errors.As(err, &nerr) || !nerr.Timeout() {
		t.Fatalf("delayed request: got %v, want a timeout", err)
	}
	reg.SetDelay(0)
	if status, _ := do(t, reg, http.MethodGet, "/v2/", ""); status != http.StatusOK {
		t.Errorf("after delay reset: %d, want 200", status)
	}
}

func TestCorruptNext(t *testing.T) {
	reg := New(t, Options{})
	want, err := reg.PushImage("corrupt/app", "v1", ImageSpec{})
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	get := func() v1.Hash {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, reg.URL()+"/v2/corrupt/app/manifests/v1", nil)
		if err != nil {
			t.Fatalf("new request: %v", err)
		}
		req.Header.Set("Accept", string(types.DockerManifestSchema2))
		resp, err := (&http.Client{Transport: reg.Transport()}).Do(req)
		if err != nil {
			t.Fatalf("get manifest: %v", err)
		}
		defer func() { _ = resp.Body.Close() }()
		got, _, err := v1.SHA256(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("read manifest: status %d, %v", resp.StatusCode, err)
		}
		return got
	}

	reg.CorruptNext(http.MethodGet, "/manifests/v1", 1)
	reg.CorruptNext(http.MethodGet, "/manifests/v1", 1)
	reg.ResetFaults()
	if got := get(); got != want {
		t.Errorf("after ResetFaults: digest %s, want %s", got, want)
	}
	reg.CorruptNext(http.MethodGet, "/manifests/v1", 1)
	if got := get(); got == want {
		t.Errorf("corrupted response still hashes to %s", want)
	}
	if got := get(); got != want {
		t.Errorf("second response: digest %s, want %s (one corruption only)", got, want)
	}
}
