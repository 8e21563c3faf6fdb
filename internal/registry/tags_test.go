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
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

func TestListTags(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{TokenAuth: goodCreds})
	var want []string
	for i := range 5 {
		tag := fmt.Sprintf("v%d", i)
		push(t, reg, "team/app", tag, testregistry.ImageSpec{Seed: int64(i)})
		want = append(want, tag)
	}
	kc := KeychainFromSecrets([]corev1.Secret{
		dockerConfigJSONSecret(t, "pull", map[string]string{reg.Host(): "alice:s3cret"})})
	// The in-process registry pages with n and last but sends no Link header, so the
	// full-page fallback is what walks the pages here.
	for _, tc := range []struct{ pageSize, wantPages int }{{0, 1}, {2, 3}, {5, 2}, {100, 1}} {
		t.Run(fmt.Sprintf("page size %d", tc.pageSize), func(t *testing.T) {
			imp := newTestImporter(nil)
			imp.tagPageSize = tc.pageSize
			reg.ResetRequests()
			got, err := imp.ListTags(t.Context(), reg.Host(), "team/app", true, kc)
			if err != nil {
				t.Fatalf("list tags: %v", err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("tags %v, want %v", got, want)
			}
			if n := reg.Count(http.MethodGet, "/tags/list"); n != tc.wantPages {
				t.Errorf("requests %+v: want %d pages", reg.Requests(), tc.wantPages)
			}
		})
	}

	_, err := newTestImporter(nil).ListTags(t.Context(), reg.Host(), "team/app", true, nil)
	requireError(t, err, ReasonUnauthorized, "you may not have access")
}

func TestNextLink(t *testing.T) {
	tests := []struct {
		values []string
		want   string
	}{
		{[]string{`</v2/app/tags/list?n=2&last=b>; rel="next"`}, "/v2/app/tags/list?n=2&last=b"},
		{[]string{`<https://r.example.com/v2/app/tags/list?last=b>; rel=next`}, "https://r.example.com/v2/app/tags/list?last=b"},
		{[]string{`</prev>; rel="prev", </next>; rel="next"`}, "/next"},
		{[]string{`</prev>; rel="prev"`, `</next>; REL="Next"`}, "/next"},
		{[]string{`/v2/no-brackets; rel="next"`}, ""},
		{nil, ""},
	}
	for _, tc := range tests {
		if got := nextLink(tc.values); got != tc.want {
			t.Errorf("nextLink(%q) = %q, want %q", tc.values, got, tc.want)
		}
	}
}

func TestNextPageStaysOnRegistry(t *testing.T) {
	s := &session{base: "https://quay.io/v2/org/app"}
	current, _ := url.Parse("https://quay.io/v2/org/app/tags/list?n=2")
	if got, err := s.nextPage(current, []string{`</v2/org/app/tags/list?last=b&n=2>; rel="next"`}); err != nil ||
		got != "https://quay.io/v2/org/app/tags/list?last=b&n=2" {
		t.Errorf("relative link: %q, %v", got, err)
	}
	if _, err := s.nextPage(current, []string{`<https://169.254.169.254/latest>; rel="next"`}); err == nil {
		t.Errorf("a link to another host was followed")
	}
}
