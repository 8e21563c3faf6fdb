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

import "regexp"

// The pull spec grammar, piece by piece. It is the grammar of OpenShift's
// library-go (itself a copy of docker/distribution's), extended with
// bracketed IPv6 registry addresses.
const (
	// A path component: lower-case alphanumeric runs joined by a single
	// '.' or '_', by "__", or by any number of '-'.
	alphaNumericPattern  = `[a-z0-9]+`
	separatorPattern     = `(?:[._]|__|[-]*)`
	nameComponentPattern = alphaNumericPattern +
		`(?:` + separatorPattern + alphaNumericPattern + `)*`

	// A registry: DNS-like components (dots between them) or a bracketed
	// IPv6 address, with an optional numeric port.
	hostComponentPattern = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	hostnamePattern      = hostComponentPattern + `(?:\.` + hostComponentPattern + `)*`
	ipv6Pattern          = `\[[a-fA-F0-9:]+\]`
	domainPattern        = `(?:` + hostnamePattern + `|` + ipv6Pattern + `)(?::[0-9]+)?`

	// The name part: an optional registry followed by path components.
	namePattern = `(?:` + domainPattern + `/)?` +
		nameComponentPattern + `(?:/` + nameComponentPattern + `)*`

	// tagPattern allows at most 128 characters, starting with a word
	// character.
	tagPattern = `[\w][\w.-]{0,127}`

	// digestPattern is "<algorithm>:<at least 32 hex digits>"; the
	// algorithm and the exact length are checked by checkDigest.
	digestPattern = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[[:xdigit:]]{32,}`
)

// referenceRegexp matches a whole pull spec. Submatch 1 is the name part,
// 2 the tag and 3 the digest.
var referenceRegexp = regexp.MustCompile(
	`^(` + namePattern + `)(?::(` + tagPattern + `))?(?:@(` + digestPattern + `))?$`)

// digestHexLengths maps the supported digest algorithms to the number of hex
// digits of their checksums.
var digestHexLengths = map[string]int{
	"sha256": 64,
	"sha384": 96,
	"sha512": 128,
}

// checkDigest checks the algorithm and the checksum length of a digest whose
// format is already known to be valid.
func checkDigest(algorithm, hex string) error {
	want, ok := digestHexLengths[algorithm]
	if !ok {
		return ErrDigestUnsupported
	}
	if len(hex) != want {
		return ErrDigestInvalidLength
	}
	return nil
}
