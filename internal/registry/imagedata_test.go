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
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestChooseManifest(t *testing.T) {
	desc := func(digest byte, os, arch, variant string) v1.Descriptor {
		d := v1.Descriptor{Digest: v1.Hash{Algorithm: "sha256", Hex: string(rune('0' + digest))}}
		if os != "" || arch != "" {
			d.Platform = &v1.Platform{OS: os, Architecture: arch, Variant: variant}
		}
		return d
	}
	all := []v1.Descriptor{
		desc(0, "", "", ""), // e.g. an attestation without platform
		desc(1, "linux", "arm", "v6"),
		desc(2, "linux", "arm", "v7"),
		desc(3, "windows", "amd64", ""),
		desc(4, "linux", "amd64", ""),
		desc(5, "linux", "arm64", "v8"),
	}
	tests := []struct {
		name      string
		manifests []v1.Descriptor
		prefer    Platform
		want      byte
	}{
		{"exact os and arch", all, Platform{OS: "linux", Architecture: "arm64"}, 5},
		{"variant ignored: first arm wins", all, Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, 1},
		{"os matters", all, Platform{OS: "windows", Architecture: "amd64"}, 3},
		{"absent preference: linux/amd64", all, Platform{OS: "linux", Architecture: "s390x"}, 4},
		{"no linux/amd64: first", all[:4], Platform{OS: "linux", Architecture: "s390x"}, 0},
	}
	for _, tc := range tests {
		if got := chooseManifest(tc.manifests, tc.prefer); got.Digest.Hex != string(rune('0'+tc.want)) {
			t.Errorf("%s: chose %s, want entry %d", tc.name, got.Digest.Hex, tc.want)
		}
	}
}

func TestImageDataConfig(t *testing.T) {
	m := &v1.Manifest{
		Config: v1.Descriptor{Size: 10, Digest: v1.Hash{Algorithm: "sha256", Hex: "c0"}},
		Layers: []v1.Descriptor{
			{Size: 100, Digest: v1.Hash{Algorithm: "sha256", Hex: "l1"}, MediaType: types.DockerLayer},
			{Size: 1000, Digest: v1.Hash{Algorithm: "sha256", Hex: "l2"}, MediaType: types.DockerForeignLayer},
		},
	}
	cf := &v1.ConfigFile{OS: "linux", Architecture: "arm64", Config: v1.Config{
		Volumes: map[string]struct{}{"/data": {}}, OnBuild: []string{"RUN true"},
	}}
	img := imageData("r/a@sha256:x", types.DockerManifestSchema2, m.Config.Digest, m, cf)
	meta := img.DockerImageMetadata
	if meta.Size != 1110 || meta.ID != "sha256:c0" || meta.Created != nil {
		t.Errorf("metadata %+v: want size 1110, ID sha256:c0, no created time", meta)
	}
	if _, ok := meta.Config.Volumes["/data"]; !ok || len(meta.Config.OnBuild) != 1 || meta.Config.ExposedPorts != nil {
		t.Errorf("config %+v: want the volume and OnBuild", meta.Config)
	}
	if l := img.DockerImageLayers[1]; l.Name != "sha256:l2" || l.LayerSize != 1000 || l.MediaType != string(types.DockerForeignLayer) {
		t.Errorf("layer %+v", l)
	}
}

func TestPlatformString(t *testing.T) {
	for _, tc := range []struct{ os, arch, variant, want string }{
		{"linux", "amd64", "", "linux/amd64"},
		{"linux", "arm64", "v8", "linux/arm64/v8"},
		{"", "", "", ""},
	} {
		if got := platformString(tc.os, tc.arch, tc.variant); got != tc.want {
			t.Errorf("platformString(%q, %q, %q) = %q, want %q", tc.os, tc.arch, tc.variant, got, tc.want)
		}
	}
}
