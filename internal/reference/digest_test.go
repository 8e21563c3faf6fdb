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
	"strings"
	"testing"
)

func TestDigestNameRoundTrip(t *testing.T) {
	for _, digest := range []string{sha256ID, sha384ID, sha512ID} {
		t.Run(digest, func(t *testing.T) {
			name, err := DigestName(digest)
			if err != nil {
				t.Fatalf("DigestName(%q) error: %v", digest, err)
			}
			if want := strings.Replace(digest, ":", "-", 1); name != want {
				t.Fatalf("DigestName(%q) = %q, want %q", digest, name, want)
			}
			back, err := DigestFromName(name)
			if err != nil {
				t.Fatalf("DigestFromName(%q) error: %v", name, err)
			}
			if back != digest {
				t.Errorf("DigestFromName(%q) = %q, want %q", name, back, digest)
			}
		})
	}
}

func TestDigestNameErrors(t *testing.T) {
	tests := []struct {
		digest string
		want   error
	}{
		{"", ErrDigestInvalidFormat},
		{hex64, ErrDigestInvalidFormat},
		{"sha256:", ErrDigestInvalidFormat},
		{":" + hex64, ErrDigestInvalidFormat},
		{"sha256-" + hex64, ErrDigestInvalidFormat},
		{"sha256:" + strings.ToUpper(hex64), ErrDigestInvalidFormat},
		{"sha256:" + hex64[:63] + "g", ErrDigestInvalidFormat},
		{"sha256:" + hex64 + ":", ErrDigestInvalidFormat},
		{"sha256:" + hex64[:63], ErrDigestInvalidLength},
		{"sha256:" + hex64 + "0", ErrDigestInvalidLength},
		{"sha512:" + hex64, ErrDigestInvalidLength},
		{"md5:" + hex64[:32], ErrDigestUnsupported},
		{"SHA256:" + hex64, ErrDigestUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.digest, func(t *testing.T) {
			name, err := DigestName(tt.digest)
			if !errors.Is(err, tt.want) {
				t.Fatalf("DigestName(%q) = %q, %v, want error %q", tt.digest, name, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "invalid image digest ") {
				t.Errorf("DigestName(%q) error %q lacks context", tt.digest, err)
			}
			// The same defect in an object name is rejected the same way.
			objName := strings.Replace(tt.digest, ":", "-", 1)
			if tt.digest == "sha256-"+hex64 {
				objName = "sha256:" + hex64
			}
			if _, err := DigestFromName(objName); !errors.Is(err, tt.want) {
				t.Errorf("DigestFromName(%q) error = %v, want %q", objName, err, tt.want)
			}
		})
	}
}
