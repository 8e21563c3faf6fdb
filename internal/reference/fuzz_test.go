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

package reference

import (
	"errors"
	"testing"
)

// parseErrors are all the errors Parse may return.
var parseErrors = []error{
	ErrReferenceInvalidFormat, ErrNameContainsUppercase, ErrNameEmpty, ErrNameTooLong,
	ErrDigestUnsupported, ErrDigestInvalidLength,
}

// FuzzParse checks that Parse never panics, only returns its documented
// errors, and that every reference it returns survives Exact and Parse
// unchanged (also after AsRepository and MostSpecific). More seeds live in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"busybox",
		"user/app:v1",
		"localhost:5000/app",
		"quay.io/org/sub/app@" + sha256ID,
		"registry.example.com:443/a/b:tag@" + sha256ID,
		"[::1]:5000/app",
		"quay.io",
		"Foo/bar",
		"a__b--c/d.e_f",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		ref, err := Parse(spec)
		if err != nil {
			if !isParseError(err) {
				t.Fatalf("Parse(%q) returned an undocumented error: %v", spec, err)
			}
			if ref != (DockerImageReference{}) {
				t.Fatalf("Parse(%q) returned %#v with error %v", spec, ref, err)
			}
			return
		}
		if exact := ref.Exact(); exact != spec {
			t.Fatalf("Parse(%q).Exact() = %q, want the input", spec, exact)
		}
		for _, derived := range []DockerImageReference{ref, ref.AsRepository(), ref.MostSpecific()} {
			again, err := Parse(derived.Exact())
			if err != nil {
				t.Fatalf("Parse(%q) of %#v (from %q) failed: %v", derived.Exact(), derived, spec, err)
			}
			if again != derived {
				t.Fatalf("Parse(%q) = %#v, want %#v (from %q)", derived.Exact(), again, derived, spec)
			}
		}
	})
}

// isParseError reports whether err is one of parseErrors.
func isParseError(err error) bool {
	for _, want := range parseErrors {
		if errors.Is(err, want) {
			return true
		}
	}
	return false
}
