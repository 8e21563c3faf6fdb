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

import "errors"

// NameTotalLengthMax is the maximum length of the name part of a pull spec
// (registry, namespace and name, without tag or digest).
const NameTotalLengthMax = 255

// Errors returned by Parse. The messages are the ones OpenShift reports, so
// they can be shown to users unchanged.
var (
	// ErrReferenceInvalidFormat is returned when a pull spec does not match
	// the reference grammar.
	ErrReferenceInvalidFormat = errors.New("invalid reference format")
	// ErrNameContainsUppercase is returned when a pull spec would be valid
	// if it were lower case.
	ErrNameContainsUppercase = errors.New("repository name must be lowercase")
	// ErrNameEmpty is returned for an empty pull spec.
	ErrNameEmpty = errors.New("repository name must have at least one component")
	// ErrNameTooLong is returned when the name part of a pull spec is longer
	// than NameTotalLengthMax characters.
	ErrNameTooLong = errors.New("repository name must not be more than 255 characters")
)

// Errors about digests, returned by Parse (for the part after '@'),
// DigestName and DigestFromName. The messages are the ones of the digest
// package used by OpenShift.
var (
	// ErrDigestInvalidFormat is returned when a digest is not
	// "<algorithm>:<hex>".
	ErrDigestInvalidFormat = errors.New("invalid checksum digest format")
	// ErrDigestInvalidLength is returned when the hex part of a digest does
	// not have the length its algorithm requires.
	ErrDigestInvalidLength = errors.New("invalid checksum digest length")
	// ErrDigestUnsupported is returned when the digest algorithm is not
	// sha256, sha384 or sha512.
	ErrDigestUnsupported = errors.New("unsupported digest algorithm")
)

// Errors about image stream sub-resource names and spec tag references. The
// capitalised messages are OpenShift's API messages, kept verbatim.
var (
	// ErrInvalidImageStreamTagName is returned by ParseImageStreamTagName
	// when the name is not "<stream>:<tag>".
	ErrInvalidImageStreamTagName = errors.New( //nolint:staticcheck // verbatim OpenShift message
		"ImageStreamTags must be retrieved with <name>:<tag>")
	// ErrInvalidImageStreamImageName is returned by ParseImageStreamImageName
	// when the name is not "<stream>@<id>".
	ErrInvalidImageStreamImageName = errors.New( //nolint:staticcheck // verbatim OpenShift message
		"ImageStreamImages must be retrieved with <name>@<id>")
	// ErrInvalidFromReference is returned by SplitTagReference and
	// SplitImageReference for a malformed spec tag from.name.
	ErrInvalidFromReference = errors.New("must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>")
)
