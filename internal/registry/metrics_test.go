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
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// requestCounts returns imagestream_registry_requests_total of one registry host, by
// "METHOD code".
func requestCounts(t *testing.T, host string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		for _, code := range []string{"200", "401", "404", "500", codeError} {
			if n := int(testutil.ToFloat64(registryRequests.WithLabelValues(host, method, code))); n > 0 {
				counts[method+" "+code] = n
			}
		}
	}
	return counts
}

// servedCounts returns the requests a test registry served, by "METHOD code".
func servedCounts(reg *testregistry.Registry) map[string]int {
	counts := map[string]int{}
	for _, r := range reg.Requests() {
		counts[r.Method+" "+strconv.Itoa(r.Status)]++
	}
	return counts
}

func TestRegistryRequestsAreCountedByHostMethodAndCode(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{TokenAuth: goodCreds})
	push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
	req := tagRequest(reg, "team/app", "v1")
	req.Keychain = KeychainFromSecrets([]corev1.Secret{
		dockerConfigJSONSecret(t, "pull", map[string]string{reg.Host(): "alice:s3cret"})})
	imp := newTestImporter(nil)
	if _, err := imp.Import(t.Context(), req); err != nil {
		t.Fatalf("import: %v", err)
	}
	reg.FailNext(http.MethodHead, "/manifests/", http.StatusNotFound, 1)
	_, err := imp.Import(t.Context(), req)
	requireError(t, err, ReasonNotFound, "not found")

	got, want := requestCounts(t, reg.Host()), servedCounts(reg)
	// The registry speaks plain HTTP: the ping's HTTPS attempt, made first, gets no response.
	want["GET "+codeError]++
	if len(got) != len(want) {
		t.Fatalf("imagestream_registry_requests_total{registry=%q} = %v, want what the registry served: %v", reg.Host(), got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("requests %q = %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	if got["HEAD 200"] != 1 || got["HEAD 404"] != 1 {
		t.Errorf("want one HEAD answered 200 and one answered 404, got %v", got)
	}
	if n := testutil.CollectAndCount(registryRequestDuration, "imagestream_registry_request_duration_seconds"); n == 0 {
		t.Error("no request duration was observed")
	}
	for k := range got {
		if strings.Contains(k, "s3cret") {
			t.Errorf("a label holds the password: %q", k)
		}
	}
}

func TestRegistryRequestsWithoutResponseAreCountedAsErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	_ = l.Close() // nothing listens there any more: connections are refused
	before := testutil.ToFloat64(registryRequests.WithLabelValues(host, http.MethodGet, codeError))
	_, err = newTestImporter(nil).Import(t.Context(), Request{Registry: host, Repository: "app", Tag: "v1", Insecure: true})
	if err == nil {
		t.Fatal("import from a closed port succeeded")
	}
	if after := testutil.ToFloat64(registryRequests.WithLabelValues(host, http.MethodGet, codeError)); after <= before {
		t.Errorf(`imagestream_registry_requests_total{registry=%q,method="GET",code="error"} stayed at %v`, host, after)
	}
}

func TestRegistryLabelsAreBounded(t *testing.T) {
	s := &registryLabelSet{hosts: map[string]struct{}{}, max: 2}
	for _, tc := range []struct{ host, want string }{
		{"quay.io", "quay.io"},
		{"docker.io", "docker.io"},
		{"tenant-made-up-1.example.com", otherRegistries},
		{"quay.io", "quay.io"},
		{"tenant-made-up-2.example.com", otherRegistries},
	} {
		if got := s.label(tc.host); got != tc.want {
			t.Errorf("label(%q) = %q, want %q", tc.host, got, tc.want)
		}
	}
	for _, tc := range []struct{ url, want string }{
		{"https://REGISTRY-1.docker.io:443/v2/", "docker.io"},
		{"http://registry.local:80/v2/", "registry.local"},
		{"https://registry.local:5000/v2/team/app/manifests/v1", "registry.local:5000"},
	} {
		req, err := http.NewRequest(http.MethodGet, tc.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := limitKey(req); got != tc.want {
			t.Errorf("registry label of %s = %q, want %q", tc.url, got, tc.want)
		}
	}
}
