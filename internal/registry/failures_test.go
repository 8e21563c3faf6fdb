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
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

func TestImportInsecure(t *testing.T) {
	tests := []struct {
		name     string
		opts     testregistry.Options
		insecure bool
		reason   string
		message  string
	}{
		{name: "http with insecure", insecure: true},
		{name: "http without insecure", reason: ReasonBadRequest,
			message: "the repository HOST/team/app is HTTP only and requires the insecure flag to import"},
		{name: "self-signed https with insecure", opts: testregistry.Options{TLS: true}, insecure: true},
		{name: "self-signed https and token with insecure", insecure: true,
			opts: testregistry.Options{TLS: true, TokenAuth: goodCreds}},
		{name: "self-signed https without insecure", opts: testregistry.Options{TLS: true},
			reason: ReasonInternalError, message: "certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, tc.opts)
			want := push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
			req := tagRequest(reg, "team/app", "v1")
			req.Insecure = tc.insecure
			req.Keychain = KeychainFromSecrets([]corev1.Secret{
				dockerConfigJSONSecret(t, "pull", map[string]string{reg.Host(): "alice:s3cret"})})
			res, err := newTestImporter(nil).Import(t.Context(), req)
			if tc.reason != "" {
				e := requireError(t, err, tc.reason, strings.ReplaceAll(tc.message, "HOST", reg.Host()))
				if tc.reason == ReasonBadRequest && e.Message != strings.ReplaceAll(tc.message, "HOST", reg.Host()) {
					t.Errorf("message %q: want exactly %q", e.Message, tc.message)
				}
				return
			}
			if err != nil || res.Digest != want.String() {
				t.Fatalf("import: %+v, %v: want %s", res, err, want)
			}
		})
	}
}

func TestImportRegistryErrors(t *testing.T) {
	tests := []struct {
		name       string
		tag        string
		status     int // injected on the manifest HEAD; 0 for none
		reason     string
		message    string
		retryAfter time.Duration
	}{
		{name: "unknown tag", tag: "missing", reason: ReasonNotFound, message: `dockerimage "HOST/team/app:missing" not found`},
		{name: "unknown repository", tag: "v1", status: http.StatusNotFound, reason: ReasonNotFound,
			message: `dockerimage "HOST/team/app:v1" not found`},
		{name: "forbidden", tag: "v1", status: http.StatusForbidden, reason: ReasonUnauthorized,
			message: `you may not have access to the container image "HOST/team/app:v1"`},
		{name: "server error", tag: "v1", status: http.StatusInternalServerError, reason: ReasonInternalError,
			message: "HOST/team/app:v1: HEAD http://HOST/v2/team/app/manifests/v1: unexpected status code 500"},
		{name: "unavailable", tag: "v1", status: http.StatusServiceUnavailable, reason: ReasonInternalError,
			message: "HOST/team/app:v1: "},
		{name: "rate limited", tag: "v1", status: http.StatusTooManyRequests, reason: ReasonTooManyRequests,
			message:    "HOST/team/app:v1: the registry rate-limited the import (429 Too Many Requests), retry after 1s",
			retryAfter: time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, testregistry.Options{})
			push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
			if tc.status != 0 {
				reg.FailNext(http.MethodHead, "/manifests/", tc.status, 1)
			}
			_, err := newTestImporter(nil).Import(t.Context(), tagRequest(reg, "team/app", tc.tag))
			e := requireError(t, err, tc.reason, strings.ReplaceAll(tc.message, "HOST", reg.Host()))
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s: want %s", e.RetryAfter, tc.retryAfter)
			}
			if reg.Count(http.MethodGet, "/manifests/") != 0 {
				t.Errorf("requests %+v: no manifest GET expected after a failed HEAD", reg.Requests())
			}
		})
	}
}

func TestImportSizeLimits(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
	_, children := pushIndex(t, reg, "multi/app", "latest", testregistry.OCI)
	tests := []struct {
		name     string
		opts     func(*Options)
		repo     string
		known    func(string) bool
		message  string
		getFirst string // requests that must not have been sent
	}{
		{name: "manifest", repo: "team/app", opts: func(o *Options) { o.MaxManifestBytes = 64 },
			message: "larger than the manifest size limit of 64 bytes", getFirst: "/manifests/"},
		{name: "config", repo: "team/app", opts: func(o *Options) { o.MaxConfigBytes = 64 },
			message: "larger than the config size limit of 64 bytes", getFirst: "/blobs/"},
		{name: "list child", repo: "multi/app", opts: func(o *Options) { o.MaxManifestBytes = 600 },
			known: func(string) bool { return false }, message: "larger than the manifest size limit of 600 bytes",
			getFirst: "/manifests/" + children["linux/amd64"].String()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg.ResetRequests()
			req := tagRequest(reg, tc.repo, "v1")
			if tc.repo == "multi/app" {
				req.Tag = "latest"
			}
			_, err := newTestImporter(tc.opts).Import(t.Context(), req)
			requireError(t, err, ReasonBadRequest, tc.message)
			if n := reg.Count(http.MethodGet, tc.getFirst); n != 0 {
				t.Errorf("requests %+v: the oversized content must not be requested", reg.Requests())
			}
		})
	}
}

func TestReadLimited(t *testing.T) {
	tests := []struct {
		body     string
		declared int64
		wantErr  bool
	}{
		{body: "12345", declared: 5},
		{body: "12345", declared: -1},
		{body: "123456", declared: -1, wantErr: true},
		{body: "1", declared: 6, wantErr: true}, // refused on the declared length alone
	}
	for _, tc := range tests {
		r := &countingReader{r: strings.NewReader(tc.body)}
		b, err := readLimited(r, tc.declared, 5)
		var over *overLimitError
		if tc.wantErr != errors.As(err, &over) || (!tc.wantErr && string(b) != tc.body) {
			t.Errorf("readLimited(%q, %d): %q, %v", tc.body, tc.declared, b, err)
		}
		if r.n > 6 {
			t.Errorf("readLimited(%q): read %d bytes, want at most limit+1", tc.body, r.n)
		}
	}
}

type countingReader struct {
	r interface{ Read([]byte) (int, error) }
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestImportDigestMismatch(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	want := push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
	for _, path := range []string{"/manifests/" + want.String(), "/blobs/"} {
		t.Run(path, func(t *testing.T) {
			reg.CorruptNext(http.MethodGet, path, 1)
			_, err := newTestImporter(nil).Import(t.Context(), tagRequest(reg, "team/app", "v1"))
			e := requireError(t, err, ReasonInternalError, "content integrity error")
			if strings.HasPrefix(path, "/manifests/") && !strings.Contains(e.Message, want.String()) {
				t.Errorf("message %q: want the expected digest %s", e.Message, want)
			}
			if strings.Count(e.Message, "sha256:") != 2 {
				t.Errorf("message %q: want the expected and the actual digest", e.Message)
			}
		})
	}
}

func TestImportTimeout(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
	imp := newTestImporter(func(o *Options) { o.RequestTimeout = 200 * time.Millisecond })
	if _, err := imp.Import(t.Context(), tagRequest(reg, "team/app", "v1")); err != nil {
		t.Fatalf("import before the delay: %v", err)
	}
	reg.SetDelay(time.Minute)
	defer reg.SetDelay(0)
	start := time.Now()
	_, err := imp.Import(t.Context(), tagRequest(reg, "team/app", "v1"))
	requireError(t, err, ReasonTimeout, "did not respond within the request timeout of 200ms")
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("import took %s despite a 200ms request timeout", elapsed)
	}
}

func TestImportRefusesMetadataAddresses(t *testing.T) {
	for _, registry := range []string{"169.254.169.254", "169.254.10.1:5000", "[fe80::1]:5000", "100.100.100.200"} {
		t.Run(registry, func(t *testing.T) {
			start := time.Now()
			_, err := newTestImporter(nil).Import(t.Context(),
				Request{Registry: registry, Repository: "latest/meta-data", Tag: "latest", Insecure: true})
			e := requireError(t, err, ReasonForbidden, "")
			want := `importing images from registry "` + registry +
				`" is forbidden: registry address is link-local or a cloud metadata address`
			if e.Message != want {
				t.Errorf("message %q, want %q", e.Message, want)
			}
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("refusal took %s: the dial must not be attempted", elapsed)
			}
		})
	}
}

func TestDialerRefusesBlockedAddresses(t *testing.T) {
	dialer := &net.Dialer{Control: refuseBlockedAddresses, Timeout: 5 * time.Second}
	for _, addr := range []string{"169.254.169.254:80", "[fd00:ec2::254]:80", "100.100.100.200:80", "[fe80::1]:443",
		"[::ffff:169.254.169.254]:80"} {
		_, err := dialer.DialContext(context.Background(), "tcp", addr)
		var blocked *blockedAddressError
		if !errors.As(err, &blocked) {
			t.Errorf("dial %s: %v, want a refusal before connecting", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.100.100.199",
		"8.8.8.8", "fd00::1"} {
		if err := checkAddress(netip.MustParseAddr(addr)); err != nil {
			t.Errorf("checkAddress(%s): %v, want allowed", addr, err)
		}
	}
}
