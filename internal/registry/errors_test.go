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
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"999999999", 24 * time.Hour, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseRetryAfter(tc.value, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestClassifyStatus(t *testing.T) {
	manifestURL, _ := url.Parse("https://quay.io/v2/org/app/manifests/v1")
	blobURL, _ := url.Parse("https://quay.io/v2/org/app/blobs/sha256:abc")
	statusErr := func(status int, u *url.URL, codes ...transport.ErrorCode) error {
		e := &transport.Error{StatusCode: status, Request: &http.Request{Method: http.MethodGet, URL: u}}
		for _, c := range codes {
			e.Errors = append(e.Errors, transport.Diagnostic{Code: c})
		}
		return fmt.Errorf("fetching: %w", e)
	}
	tests := []struct {
		name      string
		err       error
		withCreds bool
		reason    string
		message   string
	}{
		{"401 with credentials", statusErr(401, manifestURL), true, ReasonUnauthorized,
			`incorrect username or password for image "quay.io/org/app:v1"`},
		{"401 anonymous", statusErr(401, manifestURL), false, ReasonUnauthorized,
			`you may not have access to the container image "quay.io/org/app:v1"`},
		{"403 with credentials", statusErr(403, manifestURL), true, ReasonUnauthorized,
			`you may not have access to the container image "quay.io/org/app:v1"`},
		{"manifest unknown", statusErr(404, manifestURL, transport.ManifestUnknownErrorCode), false, ReasonNotFound,
			`dockerimage "quay.io/org/app:v1" not found`},
		{"name unknown", statusErr(404, manifestURL, transport.NameUnknownErrorCode), false, ReasonNotFound,
			`dockerimage "quay.io/org/app:v1" not found`},
		{"missing config blob", statusErr(404, blobURL, transport.BlobUnknownErrorCode), false, ReasonInternalError,
			"quay.io/org/app:v1: fetching: GET https://quay.io/v2/org/app/blobs/sha256:abc: BLOB_UNKNOWN"},
		{"429 without Retry-After", statusErr(429, manifestURL), false, ReasonTooManyRequests,
			"the registry rate-limited the import (429 Too Many Requests), retry later"},
		{"502", statusErr(502, manifestURL), false, ReasonInternalError, "quay.io/org/app:v1: fetching: GET"},
		{"other", errors.New("connection reset"), false, ReasonInternalError, "quay.io/org/app:v1: connection reset"},
		{"timeout", fmt.Errorf("get: %w", &url.Error{Op: "Get", URL: "u", Err: errDeadline{}}), false, ReasonTimeout,
			"did not respond within the request timeout of 30s"},
		{"scheme mismatch", &url.Error{Op: "Get", URL: "u", Err: http.ErrSchemeMismatch}, false, ReasonBadRequest,
			"the repository quay.io/org/app is HTTP only and requires the insecure flag to import"},
		{"already classified", &Error{Reason: ReasonForbidden, Message: "kept"}, false, ReasonForbidden, "kept"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := failure{ref: "quay.io/org/app:v1", repository: "quay.io/org/app", withCreds: tc.withCreds,
				timeout: 30 * time.Second}
			e := f.classify(tc.err)
			if e.Reason != tc.reason || !strings.Contains(e.Message, tc.message) {
				t.Errorf("classify: {%s %q}, want {%s %q}", e.Reason, e.Message, tc.reason, tc.message)
			}
			if !errors.Is(e, tc.err) && tc.name != "already classified" {
				t.Errorf("classify: the error does not wrap the original")
			}
		})
	}
}

// errDeadline is a net.Error timeout.
type errDeadline struct{}

func (errDeadline) Error() string   { return "i/o timeout" }
func (errDeadline) Timeout() bool   { return true }
func (errDeadline) Temporary() bool { return true }
