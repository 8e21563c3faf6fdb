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
	"net/netip"
	"strings"
	"testing"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

func TestPolicyMatching(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{"quay.io", []string{"quay.io", "quay.io:443", "QUAY.IO", "quay.io."},
			[]string{"quay.io:5000", "a.quay.io", "quay.io.evil.com", "notquay.io"}},
		{"quay.io:443", []string{"quay.io", "quay.io:443"}, []string{"quay.io:80"}},
		{"*.example.com", []string{"a.example.com", "a.b.example.com:443"},
			[]string{"example.com", "a.example.com:5000", "a.example.com.evil.com"}},
		{"registry.local:5000", []string{"registry.local:5000", "Registry.Local:05000"},
			[]string{"registry.local", "registry.local:443", "registry.local:5001"}},
		{"*.internal:*", []string{"a.internal", "a.internal:443", "b.c.internal:5000"},
			[]string{"internal", "a.internal.com:5000"}},
		{"registry.local:*", []string{"registry.local", "registry.local:1"}, []string{"x.registry.local"}},
		{"10.0.0.1", []string{"10.0.0.1", "10.0.0.1:443", "[::ffff:10.0.0.1]"}, []string{"10.0.0.1:5000", "10.0.0.2"}},
		{"[fd00::1]:5000", []string{"[fd00::1]:5000", "[fd00:0::1]:5000"}, []string{"[fd00::1]", "[fd00::2]:5000"}},
		{"fd00::1", []string{"[fd00::1]", "fd00::1", "[fd00::1]:443"}, []string{"[fd00::1]:5000"}},
		{"docker.io", []string{"docker.io", "index.docker.io", "registry-1.docker.io:443"},
			[]string{"docker.io:5000", "hub.docker.io"}},
		{"registry-1.docker.io", []string{"docker.io", "index.docker.io"}, []string{"quay.io"}},
		{"*.docker.io", []string{"docker.io", "index.docker.io"}, []string{"quay.io"}},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			for _, list := range []string{"blocked", "allowed"} {
				allowed, blocked := []string{tc.pattern}, []string(nil)
				if list == "blocked" {
					allowed, blocked = nil, allowed
				}
				p, err := NewPolicy(allowed, blocked)
				if err != nil {
					t.Fatalf("NewPolicy: %v", err)
				}
				for _, r := range tc.match {
					if err := p.Check(r); (err == nil) == (list == "blocked") {
						t.Errorf("%s %q: Check(%q) = %v", list, tc.pattern, r, err)
					}
				}
				for _, r := range tc.noMatch {
					if err := p.Check(r); (err == nil) != (list == "blocked") {
						t.Errorf("%s %q: Check(%q) = %v", list, tc.pattern, r, err)
					}
				}
			}
		})
	}
}

func TestPolicyMessages(t *testing.T) {
	p, err := NewPolicy([]string{"*.example.com", "quay.io"}, []string{"bad.example.com"})
	if err != nil {
		t.Fatalf("NewPolicy: %v", err)
	}
	const linkLocal = "registry address is link-local or a cloud metadata address"
	tests := []struct {
		policy   *Policy
		registry string
		reason   string // "" when allowed
		message  string
	}{
		{p, "quay.io", "", ""},
		{p, "a.example.com", "", ""},
		{p, "bad.example.com", ReasonForbidden,
			`importing images from registry "bad.example.com" is forbidden: registry is blocked by --blocked-registries`},
		{p, "docker.io", ReasonForbidden,
			`importing images from registry "docker.io" is forbidden: registry is not in --allowed-registries`},
		{nil, "docker.io", "", ""},
		{nil, "169.254.169.254", ReasonForbidden,
			`importing images from registry "169.254.169.254" is forbidden: ` + linkLocal},
		{p, "[fe80::1]", ReasonForbidden, `importing images from registry "[fe80::1]" is forbidden: ` + linkLocal},
		{nil, "[fe80::1]:5000", ReasonForbidden, `importing images from registry "[fe80::1]:5000" is forbidden: ` + linkLocal},
		{nil, "fe80::1", ReasonForbidden, `importing images from registry "fe80::1" is forbidden: ` + linkLocal},
		{nil, "100.100.100.200:80", ReasonForbidden,
			`importing images from registry "100.100.100.200:80" is forbidden: ` + linkLocal},
		{nil, "127.0.0.1:5000", "", ""},
		{nil, "quay.io:99999", ReasonBadRequest, `invalid registry "quay.io:99999": invalid port "99999"`},
		{nil, "", ReasonBadRequest, `invalid registry "": the registry is empty`},
	}
	for _, tc := range tests {
		err := tc.policy.Check(tc.registry)
		if tc.reason == "" {
			if err != nil {
				t.Errorf("Check(%q): %v, want allowed", tc.registry, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Reason != tc.reason || e.Message != tc.message {
			t.Errorf("Check(%q): %#v, want {%s %q}", tc.registry, err, tc.reason, tc.message)
		}
	}
}

func TestNewPolicyRejectsInvalidPatterns(t *testing.T) {
	for _, pattern := range []string{"", "https://quay.io", "quay.io/org", "quay.io:http", "quay.io:0",
		"[fd00::1", "[quay.io]", "[a-", ":5000", "quay.io:70000"} {
		_, err := NewPolicy(nil, []string{pattern})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("invalid registry pattern %q in --blocked-registries", pattern)) {
			t.Errorf("pattern %q: %v, want an error naming the pattern and the flag", pattern, err)
		}
		if err := (Options{AllowedRegistries: []string{pattern}}).Validate(); err == nil {
			t.Errorf("Validate with allowed pattern %q: no error", pattern)
		}
	}
	imp := newTestImporter(func(o *Options) { o.BlockedRegistries = []string{"https://quay.io"} })
	requireError(t, imp.CheckRegistry("docker.io"), ReasonForbidden,
		`importing images from registry "docker.io" is forbidden: the registry policy is invalid: invalid registry pattern`)
}

// A host name resolving to a blocked address is refused when connecting, with the
// message of Policy.Check.
func TestClassifyBlockedConnection(t *testing.T) {
	blocked := &blockedAddressError{addr: netip.MustParseAddr("169.254.169.254"), kind: "cloud metadata"}
	f := failure{ref: "meta.example.com/app:v1", registry: "meta.example.com", repository: "meta.example.com/app"}
	e := f.classify(fmt.Errorf("dial tcp: %w", blocked))
	want := `importing images from registry "meta.example.com" is forbidden: registry address is link-local ` +
		`or a cloud metadata address (the connection to 169.254.169.254 was refused)`
	if e.Reason != ReasonForbidden || e.Message != want || !errors.Is(e, blocked) {
		t.Errorf("classify: {%s %q}, want {%s %q} wrapping the refusal", e.Reason, e.Message, ReasonForbidden, want)
	}
}

func TestImportRefusedByPolicy(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
	host := reg.Host()
	tests := []struct {
		name             string
		allowed, blocked []string
		message          string // "" when the import succeeds
	}{
		{name: "blocked", blocked: []string{"127.0.0.1:*"},
			message: `importing images from registry "` + host + `" is forbidden: registry is blocked by --blocked-registries`},
		{name: "blocked wins over allowed", allowed: []string{host}, blocked: []string{host},
			message: `importing images from registry "` + host + `" is forbidden: registry is blocked by --blocked-registries`},
		{name: "not allowed", allowed: []string{"quay.io", "127.0.0.1"},
			message: `importing images from registry "` + host + `" is forbidden: registry is not in --allowed-registries`},
		{name: "allowed", allowed: []string{"quay.io", "127.0.0.*:*"}, blocked: []string{"127.0.0.1:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			imp := newTestImporter(func(o *Options) { o.AllowedRegistries, o.BlockedRegistries = tc.allowed, tc.blocked })
			reg.ResetRequests()
			_, importErr := imp.Import(t.Context(), tagRequest(reg, "team/app", "v1"))
			_, tagsErr := imp.ListTags(t.Context(), host, "team/app", true, nil)
			if tc.message == "" {
				if importErr != nil || tagsErr != nil {
					t.Fatalf("import: %v; list tags: %v; want success", importErr, tagsErr)
				}
				return
			}
			for _, err := range []error{importErr, tagsErr, imp.CheckRegistry(host)} {
				if e := requireError(t, err, ReasonForbidden, tc.message); e.Message != tc.message {
					t.Errorf("message %q, want exactly %q", e.Message, tc.message)
				}
			}
			if got := reg.Requests(); len(got) != 0 {
				t.Errorf("a refused import reached the registry: %+v", got)
			}
		})
	}
}
