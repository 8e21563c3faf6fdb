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

package testregistry

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func testMoveTag(t *testing.T, reg *Registry) {
	tests := []struct {
		tag  string
		push func() (v1.Hash, error)
		want types.MediaType
	}{
		{"docker", func() (v1.Hash, error) { return reg.PushImage("move/app", "docker", ImageSpec{}) },
			types.DockerManifestSchema2},
		{"oci-index", func() (v1.Hash, error) {
			d, _, err := reg.PushIndex("move/app", "oci-index", OCI)
			return d, err
		}, types.OCIManifestSchema1},
		{"missing", func() (v1.Hash, error) { return v1.Hash{}, nil }, types.DockerManifestSchema2},
	}
	for _, tc := range tests {
		before, err := tc.push()
		if err != nil {
			t.Fatalf("%s: push: %v", tc.tag, err)
		}
		after, err := reg.MoveTag("move/app", tc.tag)
		if err != nil {
			t.Fatalf("%s: move: %v", tc.tag, err)
		}
		desc, err := remote.Head(ref(t, reg, "move/app", tc.tag), reg.RemoteOptions()...)
		if err != nil {
			t.Fatalf("%s: head: %v", tc.tag, err)
		}
		resolved, err := reg.Digest("move/app", tc.tag)
		if err != nil || after == before || desc.Digest != after || resolved != after || desc.MediaType != tc.want {
			t.Errorf("%s: before %s after %s head %s %s digest %s (err %v)",
				tc.tag, before, after, desc.Digest, desc.MediaType, resolved, err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	digest := func(repo, tag string, spec ImageSpec) v1.Hash {
		img, err := buildImage(repo, tag, spec)
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatalf("digest: %v", err)
		}
		return d
	}
	spec := ImageSpec{MediaType: OCI, Cmd: []string{"run"}, Layers: 3}
	base := digest("a/b", "v1", spec)
	if again := digest("a/b", "v1", spec); again != base {
		t.Errorf("same spec gave %s and %s", base, again)
	}
	reseeded := spec
	reseeded.Seed = 7
	for _, d := range []v1.Hash{digest("a/b", "v1", reseeded), digest("a/b", "v2", spec), digest("a/c", "v1", spec)} {
		if d == base {
			t.Errorf("different seed, tag or repo gave the same digest %s", d)
		}
	}
	if _, err := buildImage("a/b", "v1", ImageSpec{MediaType: "schema1"}); err == nil {
		t.Error("unknown media type: want an error")
	}
	if _, err := Start(Options{BasicAuth: testCreds, TokenAuth: testCreds}); err == nil {
		t.Error("basic and token auth together: want an error")
	}
}
