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

// Exact returns the pull spec of the reference with exactly the fields that
// are set: "registry/namespace/name:tag@id", each piece present only when
// non-empty. Parse(r.Exact()) gives r back for every r returned by Parse,
// and Exact returns the parsed spec unchanged.
//
// Unlike OpenShift's Exact, which drops the tag when an ID is set, both are
// printed; use MostSpecific first to get "name@id". A reference without a
// Name (a registry-only reference) is printed without its Tag, since a
// ':' after a bare registry reads as a port.
func (r DockerImageReference) Exact() string {
	var b strings.Builder
	for _, part := range [...]string{r.Registry, r.Namespace, r.Name} {
		if part == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(part)
	}
	if r.Name != "" && r.Tag != "" {
		b.WriteString(":" + r.Tag)
	}
	if b.Len() > 0 && r.ID != "" {
		b.WriteString("@" + r.ID)
	}
	return b.String()
}

// String returns r.Exact(); no defaults are applied.
func (r DockerImageReference) String() string {
	return r.Exact()
}

// DockerClientDefaults returns the reference with the defaults a container
// runtime applies: the registry "docker.io" when none is set, the namespace
// "library" on Docker Hub when none is set, and the tag "latest" when
// neither a tag nor an ID is set.
func (r DockerImageReference) DockerClientDefaults() DockerImageReference {
	if r.Registry == "" {
		r.Registry = DockerDefaultRegistry
	}
	if r.Namespace == "" && dockerHubRegistries[r.Registry] {
		r.Namespace = "library"
	}
	if r.Tag == "" && r.ID == "" {
		r.Tag = "latest"
	}
	return r
}

// MostSpecific returns the reference without its tag when it has an ID, so
// that it names the image by digest only; otherwise r is returned unchanged.
func (r DockerImageReference) MostSpecific() DockerImageReference {
	if r.ID != "" {
		r.Tag = ""
	}
	return r
}

// AsRepository returns the reference without its tag and ID.
func (r DockerImageReference) AsRepository() DockerImageReference {
	r.Tag, r.ID = "", ""
	return r
}

// RepositoryName returns the registry-relative repository path,
// "namespace/name", or just the name when there is no namespace.
func (r DockerImageReference) RepositoryName() string {
	return DockerImageReference{Namespace: r.Namespace, Name: r.Name}.Exact()
}

// Equal reports whether r and other name the same image once
// DockerClientDefaults is applied to both, so that "busybox" equals
// "docker.io/library/busybox:latest".
func (r DockerImageReference) Equal(other DockerImageReference) bool {
	return r.DockerClientDefaults() == other.DockerClientDefaults()
}
