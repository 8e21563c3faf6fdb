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

import "strings"

// DockerDefaultRegistry is the registry assumed when a pull spec names none.
const DockerDefaultRegistry = "docker.io"

// dockerHubRegistries are the host names that all mean Docker Hub.
var dockerHubRegistries = map[string]bool{
	DockerDefaultRegistry:                 true,
	"index." + DockerDefaultRegistry:      true,
	"registry-1." + DockerDefaultRegistry: true,
}

// DockerImageReference is a parsed pull spec. Fields not present in the spec
// are empty; DockerClientDefaults fills in what a container runtime assumes.
type DockerImageReference struct {
	// Registry is the registry host with its optional port, such as
	// "quay.io" or "localhost:5000".
	Registry string
	// Namespace is the first path component after the registry when the
	// path has more than one component.
	Namespace string
	// Name is the rest of the path; it contains '/' when the path has
	// three or more components.
	Name string
	// Tag is the tag after ':', if any.
	Tag string
	// ID is the digest after '@', if any, such as "sha256:<hex>".
	ID string
}

// Parse parses a pull spec such as "quay.io/org/app:v1" or
// "busybox@sha256:<hex>".
//
// Like OpenShift, Parse treats the first path component as a registry only
// when it contains '.' or ':' (or is a bracketed IPv6 address) or is
// "localhost". The component after the registry, if more follow it, is the
// Namespace; the rest is the Name ("quay.io/a/b/c" gives Namespace "a" and
// Name "b/c").
//
// Two OpenShift quirks are kept on purpose, so that the same specs are
// accepted:
//   - a spec without '/' whose name contains '.' or starts with "localhost"
//     is registry-only: "quay.io" and "localhost:5000" give only a Registry
//     (the text after ':' being the port) and an ID if a digest follows;
//   - a first path component that is a valid host name but not a valid
//     repository component (upper-case letters, as in "Foo/bar") becomes the
//     Namespace.
//
// The errors are ErrNameEmpty, ErrNameContainsUppercase,
// ErrReferenceInvalidFormat, ErrNameTooLong, ErrDigestUnsupported and
// ErrDigestInvalidLength, returned unwrapped so their messages match
// OpenShift's.
func Parse(spec string) (DockerImageReference, error) {
	m := referenceRegexp.FindStringSubmatch(spec)
	if m == nil {
		switch {
		case spec == "":
			return DockerImageReference{}, ErrNameEmpty
		case referenceRegexp.MatchString(strings.ToLower(spec)):
			return DockerImageReference{}, ErrNameContainsUppercase
		default:
			return DockerImageReference{}, ErrReferenceInvalidFormat
		}
	}
	name, tag, id := m[1], m[2], m[3]
	if len(name) > NameTotalLengthMax {
		return DockerImageReference{}, ErrNameTooLong
	}
	if id != "" {
		algorithm, hex, _ := strings.Cut(id, ":")
		if err := checkDigest(algorithm, hex); err != nil {
			return DockerImageReference{}, err
		}
	}

	ref := DockerImageReference{ID: id}
	first, rest, hasPath := strings.Cut(name, "/")
	switch {
	case !hasPath && (strings.Contains(name, ".") || strings.HasPrefix(name, "localhost")):
		// Registry-only: what follows ':' is read as the port.
		ref.Registry = name
		if tag != "" {
			ref.Registry += ":" + tag
		}
		return ref, nil
	case hasPath && isRegistryComponent(first):
		ref.Registry, name = first, rest
	}
	ref.Tag = tag
	if namespace, path, ok := strings.Cut(name, "/"); ok {
		ref.Namespace, ref.Name = namespace, path
	} else {
		ref.Name = name
	}
	return ref, nil
}

// isRegistryComponent reports whether the first path component of a pull
// spec names a registry rather than a namespace.
func isRegistryComponent(component string) bool {
	return strings.ContainsAny(component, ".:[") || component == "localhost"
}
