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

var (
	hex64     = strings.Repeat("0123456789abcdef", 4)
	sha256ID  = "sha256:" + hex64
	sha384ID  = "sha384:" + strings.Repeat("a1b2c3", 16)
	sha512ID  = "sha512:" + hex64 + hex64
	longName  = strings.Repeat("a", NameTotalLengthMax)
	longTag   = strings.Repeat("t", 128)
	longSplit = "bar:5000/" + strings.Repeat("a", 63) + "/" + strings.Repeat("b", 182) // 255 characters
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec string
		want DockerImageReference
	}{
		{"busybox", DockerImageReference{Name: "busybox"}},
		{"busybox:1.36", DockerImageReference{Name: "busybox", Tag: "1.36"}},
		{"user/app", DockerImageReference{Namespace: "user", Name: "app"}},
		{"a/b/c/d", DockerImageReference{Namespace: "a", Name: "b/c/d"}},
		{"localhost:5000/app", DockerImageReference{Registry: "localhost:5000", Name: "app"}},
		{"localhost/app", DockerImageReference{Registry: "localhost", Name: "app"}},
		{"127.0.0.1:5000/ns/app:v1",
			DockerImageReference{Registry: "127.0.0.1:5000", Namespace: "ns", Name: "app", Tag: "v1"}},
		{"quay.io/org/sub/app@" + sha256ID,
			DockerImageReference{Registry: "quay.io", Namespace: "org", Name: "sub/app", ID: sha256ID}},
		{"registry.example.com:443/a/b:tag@" + sha256ID,
			DockerImageReference{Registry: "registry.example.com:443", Namespace: "a", Name: "b", Tag: "tag", ID: sha256ID}},
		{"docker.io/library/app", DockerImageReference{Registry: "docker.io", Namespace: "library", Name: "app"}},
		{"docker.io/app", DockerImageReference{Registry: "docker.io", Name: "app"}},
		{"Registry.Example.COM/app", DockerImageReference{Registry: "Registry.Example.COM", Name: "app"}},
		{"[::1]:5000/app:v1", DockerImageReference{Registry: "[::1]:5000", Name: "app", Tag: "v1"}},
		{"[fe80::1]/ns/app", DockerImageReference{Registry: "[fe80::1]", Namespace: "ns", Name: "app"}},
		// Separators inside path components.
		{"a__b/c--d/e.f_g", DockerImageReference{Namespace: "a__b", Name: "c--d/e.f_g"}},
		{"a.b/c", DockerImageReference{Registry: "a.b", Name: "c"}},
		// Tags may use upper case, '_', '.' and '-'.
		{"app:_V1.0-rc", DockerImageReference{Name: "app", Tag: "_V1.0-rc"}},
		{"app:" + longTag, DockerImageReference{Name: "app", Tag: longTag}},
		// A bare digest reads as name "sha256" with the hex as tag.
		{sha256ID, DockerImageReference{Name: "sha256", Tag: hex64}},
		{"app@" + sha384ID, DockerImageReference{Name: "app", ID: sha384ID}},
		{"app@" + sha512ID, DockerImageReference{Name: "app", ID: sha512ID}},
		{"app@sha256:" + strings.ToUpper(hex64), DockerImageReference{Name: "app", ID: "sha256:" + strings.ToUpper(hex64)}},
		// Name part of exactly 255 characters.
		{longName, DockerImageReference{Name: longName}},
		{longSplit + ":tag", DockerImageReference{Registry: "bar:5000", Namespace: strings.Repeat("a", 63),
			Name: strings.Repeat("b", 182), Tag: "tag"}},
		// Registry-only specs (OpenShift quirk).
		{"quay.io", DockerImageReference{Registry: "quay.io"}},
		{"localhost", DockerImageReference{Registry: "localhost"}},
		{"localhost:5000", DockerImageReference{Registry: "localhost:5000"}},
		{"mirror.local@" + sha256ID, DockerImageReference{Registry: "mirror.local", ID: sha256ID}},
		// A first component that is only a valid host name is a namespace
		// (OpenShift quirk).
		{"Foo/bar", DockerImageReference{Namespace: "Foo", Name: "bar"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := Parse(tt.spec)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.spec, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %#v, want %#v", tt.spec, got, tt.want)
			}
			if exact := got.Exact(); exact != tt.spec {
				t.Errorf("Exact() = %q, want the input %q", exact, tt.spec)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want error
	}{
		{"empty", "", ErrNameEmpty},
		{"upper name", "Busybox", ErrNameContainsUppercase},
		{"upper name after namespace", "foo/Bar", ErrNameContainsUppercase},
		{"upper namespace after registry", "quay.io/Org/app", ErrNameContainsUppercase},
		{"upper name with port registry", "registry:3000/integration/imageStream:success", ErrNameContainsUppercase},
		{"upper digest algorithm and name", "APP@SHA256:" + hex64, ErrNameContainsUppercase},
		{"name too long", longName + "a", ErrNameTooLong},
		{"split name too long", "bar:5000/" + strings.Repeat("a", 63) + "/" + strings.Repeat("b", 183) + ":tag",
			ErrNameTooLong},
		{"docker.io name too long", "docker.io/" + strings.Repeat("b", 246), ErrNameTooLong},
		{"tag too long", "app:" + longTag + "t", ErrReferenceInvalidFormat},
		{"tag starts with dot", "app:.v1", ErrReferenceInvalidFormat},
		{"tag starts with dash", "app:-v1", ErrReferenceInvalidFormat},
		{"only tag", ":tag", ErrReferenceInvalidFormat},
		{"only digest", "@" + sha256ID, ErrReferenceInvalidFormat},
		{"two tags", "app:a:b", ErrReferenceInvalidFormat},
		{"trailing slash", "foo/", ErrReferenceInvalidFormat},
		{"leading slash", "/foo", ErrReferenceInvalidFormat},
		{"empty component", "foo//bar", ErrReferenceInvalidFormat},
		{"trailing slash before tag", "registry.io/foo/bar/:tag", ErrReferenceInvalidFormat},
		{"url scheme", "https://quay.io/app", ErrReferenceInvalidFormat},
		{"triple underscore", "a___b", ErrReferenceInvalidFormat},
		{"mixed separators", "a._b", ErrReferenceInvalidFormat},
		{"leading dash", "-app", ErrReferenceInvalidFormat},
		{"trailing separator", "app_", ErrReferenceInvalidFormat},
		{"space", "my app", ErrReferenceInvalidFormat},
		{"trailing newline", "app\n", ErrReferenceInvalidFormat},
		{"non-numeric port", "localhost:abc/app", ErrReferenceInvalidFormat},
		{"host component ends with dash", "a-.io/app", ErrReferenceInvalidFormat},
		{"short digest", "app@sha256:abc", ErrReferenceInvalidFormat},
		{"digest without algorithm", "app@" + hex64, ErrReferenceInvalidFormat},
		{"digest length", "app@sha256:" + hex64[:32], ErrDigestInvalidLength},
		{"sha512 length", "app@sha512:" + hex64, ErrDigestInvalidLength},
		{"unsupported algorithm", "app@md5:" + hex64[:32], ErrDigestUnsupported},
		{"upper-case algorithm", "app@SHA256:" + hex64, ErrDigestUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.spec)
			if err == nil {
				t.Fatalf("Parse(%q) = %#v, want error %q", tt.spec, got, tt.want)
			}
			if !errors.Is(err, tt.want) || err.Error() != tt.want.Error() {
				t.Fatalf("Parse(%q) error = %q, want %q", tt.spec, err, tt.want)
			}
			if got != (DockerImageReference{}) {
				t.Errorf("Parse(%q) returned non-zero reference %#v with an error", tt.spec, got)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	tests := map[error]string{
		ErrReferenceInvalidFormat:      "invalid reference format",
		ErrNameContainsUppercase:       "repository name must be lowercase",
		ErrNameEmpty:                   "repository name must have at least one component",
		ErrNameTooLong:                 "repository name must not be more than 255 characters",
		ErrDigestInvalidFormat:         "invalid checksum digest format",
		ErrDigestInvalidLength:         "invalid checksum digest length",
		ErrDigestUnsupported:           "unsupported digest algorithm",
		ErrInvalidImageStreamTagName:   "ImageStreamTags must be retrieved with <name>:<tag>",
		ErrInvalidImageStreamImageName: "ImageStreamImages must be retrieved with <name>@<id>",
		ErrInvalidFromReference:        "must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>",
	}
	for err, want := range tests {
		t.Run(want, func(t *testing.T) {
			if err.Error() != want {
				t.Errorf("message = %q, want %q", err.Error(), want)
			}
		})
	}
}
