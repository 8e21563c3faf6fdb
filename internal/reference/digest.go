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
	"fmt"
	"strings"
)

// DigestName converts an image digest, "<algorithm>:<hex>", into the name
// of the Image object that stores it, "<algorithm>-<hex>", which is a valid
// Kubernetes object name. The algorithm must be sha256, sha384 or sha512,
// and the hex part lower case and of the algorithm's length (64, 96 or 128
// digits); errors wrap ErrDigestInvalidFormat, ErrDigestUnsupported or
// ErrDigestInvalidLength.
func DigestName(digest string) (string, error) {
	algorithm, hex, err := splitDigest(digest, ":")
	if err != nil {
		return "", fmt.Errorf("invalid image digest %q: %w", digest, err)
	}
	return algorithm + "-" + hex, nil
}

// DigestFromName converts the name of an Image object, "<algorithm>-<hex>",
// back into the image digest "<algorithm>:<hex>". It accepts exactly the
// names DigestName returns; errors wrap ErrDigestInvalidFormat,
// ErrDigestUnsupported or ErrDigestInvalidLength.
func DigestFromName(name string) (string, error) {
	algorithm, hex, err := splitDigest(name, "-")
	if err != nil {
		return "", fmt.Errorf("invalid image name %q: %w", name, err)
	}
	return algorithm + ":" + hex, nil
}

// splitDigest splits "<algorithm><sep><hex>" and validates both parts.
func splitDigest(s, sep string) (algorithm, hex string, err error) {
	algorithm, hex, ok := strings.Cut(s, sep)
	if !ok || algorithm == "" || !isLowerHex(hex) {
		return "", "", ErrDigestInvalidFormat
	}
	if err = checkDigest(algorithm, hex); err != nil {
		return "", "", err
	}
	return algorithm, hex, nil
}

// isLowerHex reports whether s is a non-empty string of lower-case hex
// digits.
func isLowerHex(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
