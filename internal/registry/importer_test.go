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
	"slices"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

func TestImportImageMetadata(t *testing.T) {
	tests := []struct {
		format              testregistry.MediaType
		manifest, layerType types.MediaType
	}{
		{testregistry.DockerSchema2, types.DockerManifestSchema2, types.DockerLayer},
		{testregistry.OCI, types.OCIManifestSchema1, types.OCILayer},
	}
	for _, tc := range tests {
		t.Run(string(tc.format), func(t *testing.T) {
			reg := testregistry.New(t, testregistry.Options{})
			want := push(t, reg, "team/app", "v1", testregistry.ImageSpec{
				MediaType:    tc.format,
				Cmd:          []string{"serve", "--port=8080"},
				Entrypoint:   []string{"/bin/app"},
				Env:          []string{"PATH=/usr/bin", "MODE=prod"},
				User:         "1001",
				WorkingDir:   "/srv",
				ExposedPorts: []string{"8080/tcp", "9090/udp"},
				Labels:       map[string]string{"org.opencontainers.image.title": "app"},
				Architecture: "arm64",
				Layers:       2,
			})
			ref, err := name.ParseReference(reg.Reference("team/app", "v1"))
			if err != nil {
				t.Fatalf("parse reference: %v", err)
			}
			pushed, err := remote.Image(ref, reg.RemoteOptions()...)
			if err != nil {
				t.Fatalf("read pushed image: %v", err)
			}
			m, err := pushed.Manifest()
			if err != nil {
				t.Fatalf("read pushed manifest: %v", err)
			}
			reg.ResetRequests()

			res, err := newTestImporter(nil).Import(t.Context(), tagRequest(reg, "team/app", "v1"))
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			wantRef := reg.Host() + "/team/app@" + want.String()
			if res.Digest != want.String() || res.Reference != wantRef || res.Image == nil || len(res.Manifests) != 0 {
				t.Fatalf("result %+v: want digest %s, reference %s and an image", res, want, wantRef)
			}
			img := res.Image
			if img.DockerImageReference != wantRef || img.DockerImageManifestMediaType != string(tc.manifest) ||
				img.DockerImageMetadataVersion != "1.0" || img.DockerImageManifest != "" || img.DockerImageConfig != "" {
				t.Errorf("image %+v: wrong reference, media type, version or raw content kept", img)
			}
			meta := img.DockerImageMetadata
			size := m.Config.Size
			for _, l := range m.Layers {
				size += l.Size
			}
			if meta.ID != m.Config.Digest.String() || meta.Architecture != "arm64" || meta.OS != "linux" ||
				meta.Size != size || meta.Created == nil || !meta.Created.Equal(&metav1Time2025) {
				t.Errorf("metadata %+v: want ID %s, linux/arm64, size %d, created 2025-01-01", meta, m.Config.Digest, size)
			}
			c := meta.Config
			if !slices.Equal(c.Cmd, []string{"serve", "--port=8080"}) || !slices.Equal(c.Entrypoint, []string{"/bin/app"}) ||
				!slices.Equal(c.Env, []string{"PATH=/usr/bin", "MODE=prod"}) || c.User != "1001" || c.WorkingDir != "/srv" ||
				len(c.ExposedPorts) != 2 || c.Labels["org.opencontainers.image.title"] != "app" {
				t.Errorf("config %+v: does not match the pushed spec", c)
			}
			if _, ok := c.ExposedPorts["9090/udp"]; !ok {
				t.Errorf("exposed ports %v: missing 9090/udp", c.ExposedPorts)
			}
			if len(img.DockerImageLayers) != 2 {
				t.Fatalf("layers %+v: want 2", img.DockerImageLayers)
			}
			for i, l := range img.DockerImageLayers {
				if l.Name != m.Layers[i].Digest.String() || l.LayerSize != m.Layers[i].Size || l.LayerSize == 0 ||
					l.MediaType != string(tc.layerType) {
					t.Errorf("layer %d %+v: want %s, %d bytes, %s", i, l, m.Layers[i].Digest, m.Layers[i].Size, tc.layerType)
				}
			}
			if !slices.Equal(res.Platforms, []string{"linux/arm64"}) {
				t.Errorf("platforms %v: want [linux/arm64]", res.Platforms)
			}
			if h, g, b := countRequests(reg); h != 1 || g != 1 || b != 1 {
				t.Errorf("requests %+v: want 1 HEAD, 1 GET manifest, 1 GET blob", reg.Requests())
			}
			if reg.Count("GET", "/manifests/"+want.String()) != 1 {
				t.Errorf("requests %+v: the manifest must be fetched by digest", reg.Requests())
			}
		})
	}
}

var metav1Time2025 = metav1.NewTime(time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC))

func TestRecheckUnchangedTag(t *testing.T) {
	modes := []struct {
		name         string
		opts         testregistry.Options
		wantRequests int // all requests of a re-check
	}{
		{name: "anonymous", opts: testregistry.Options{}, wantRequests: 1},
		{name: "basic", opts: testregistry.Options{BasicAuth: goodCreds}, wantRequests: 1},
		{name: "token", opts: testregistry.Options{TokenAuth: goodCreds}, wantRequests: 2}, // + token
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			reg := testregistry.New(t, mode.opts)
			first := push(t, reg, "team/app", "latest", testregistry.ImageSpec{})
			imp := newTestImporter(nil)
			req := tagRequest(reg, "team/app", "latest")
			req.Keychain = KeychainFromSecrets([]corev1.Secret{
				dockerConfigJSONSecret(t, "pull", map[string]string{reg.Host(): "alice:s3cret"})})
			if _, err := imp.Import(t.Context(), req); err != nil {
				t.Fatalf("first import: %v", err)
			}

			reg.ResetRequests()
			req.Known = known(first)
			res, err := imp.Import(t.Context(), req)
			if err != nil {
				t.Fatalf("re-check: %v", err)
			}
			if res.Digest != first.String() || res.Image != nil || res.Platforms != nil {
				t.Errorf("re-check result %+v: want digest %s and nothing fetched", res, first)
			}
			if h, g, b := countRequests(reg); h != 1 || g != 0 || b != 0 || len(reg.Requests()) != mode.wantRequests {
				t.Errorf("re-check requests %+v: want 1 HEAD manifest, no GET, %d requests", reg.Requests(), mode.wantRequests)
			}

			moved, err := reg.MoveTag("team/app", "latest")
			if err != nil {
				t.Fatalf("move tag: %v", err)
			}
			reg.ResetRequests()
			res, err = imp.Import(t.Context(), req)
			if err != nil {
				t.Fatalf("import after move: %v", err)
			}
			if res.Digest != moved.String() || res.Image == nil ||
				res.Image.DockerImageMetadata.Config.Labels[testregistry.MoveTagLabel] == "" {
				t.Errorf("after move: result %+v, want the new digest %s fetched", res, moved)
			}
			if h, g, b := countRequests(reg); h != 1 || g != 1 || b != 1 {
				t.Errorf("after move requests %+v: want 1 HEAD, 1 GET manifest, 1 GET blob", reg.Requests())
			}
		})
	}
}
