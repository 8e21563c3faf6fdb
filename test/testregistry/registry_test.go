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
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

var testCreds = &Credentials{Username: "alice", Password: "s3cret"}

var modes = []struct {
	name string
	opts Options
}{
	{name: "http"},
	{name: "https", opts: Options{TLS: true}},
	{name: "basic", opts: Options{BasicAuth: testCreds}},
	{name: "token", opts: Options{TokenAuth: testCreds}},
	{name: "https+token", opts: Options{TLS: true, TokenAuth: testCreds}},
}

func TestModes(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			reg := New(t, m.opts)
			if m.opts.TLS != (reg.CAPEM() != nil) || !strings.HasPrefix(reg.Host(), "127.0.0.1:") {
				t.Fatalf("host %q, CA present %v, want TLS %v", reg.Host(), reg.CAPEM() != nil, m.opts.TLS)
			}
			if m.opts.TLS {
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, reg.URL()+"/v2/", nil)
				if resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req); err == nil {
					_ = resp.Body.Close()
					t.Errorf("a client not trusting the CA connected")
				}
			}
			t.Run("images", func(t *testing.T) { testImages(t, reg) })
			t.Run("indexes", func(t *testing.T) { testIndexes(t, reg) })
			t.Run("auth", func(t *testing.T) { testAuth(t, reg) })
			t.Run("move tag", func(t *testing.T) { testMoveTag(t, reg) })
			t.Run("faults", func(t *testing.T) { testFaults(t, reg) })
			t.Run("accounting", func(t *testing.T) { testAccounting(t, reg) })
		})
	}
}

func testImages(t *testing.T, reg *Registry) {
	tests := []struct {
		mediaType              MediaType
		manifest, config, layr types.MediaType
	}{
		{DockerSchema2, types.DockerManifestSchema2, types.DockerConfigJSON, types.DockerLayer},
		{OCI, types.OCIManifestSchema1, types.OCIConfigJSON, types.OCILayer},
	}
	for _, tc := range tests {
		spec := ImageSpec{
			MediaType:    tc.mediaType,
			Cmd:          []string{"serve", "--port=8080"},
			Entrypoint:   []string{"/app"},
			Env:          []string{"PATH=/usr/bin", "MODE=test"},
			ExposedPorts: []string{"8080/tcp", "53/udp"},
			Labels:       map[string]string{"app": "demo"},
			User:         "1001:0",
			WorkingDir:   "/work",
			Architecture: "arm64",
			Variant:      "v8",
			Layers:       2,
		}
		digest, err := reg.PushImage("images/app", string(tc.mediaType), spec)
		if err != nil {
			t.Fatalf("push %s: %v", tc.mediaType, err)
		}
		img, err := remote.Image(ref(t, reg, "images/app", string(tc.mediaType)), reg.RemoteOptions()...)
		if err != nil {
			t.Fatalf("pull %s: %v", tc.mediaType, err)
		}
		m, err := img.Manifest()
		if err != nil {
			t.Fatalf("manifest: %v", err)
		}
		got, _ := img.Digest()
		if got != digest || m.MediaType != tc.manifest || m.Config.MediaType != tc.config || len(m.Layers) != 2 {
			t.Fatalf("%s: got digest %s manifest %s config %s %d layers, want %s %s %s 2",
				tc.mediaType, got, m.MediaType, m.Config.MediaType, len(m.Layers), digest, tc.manifest, tc.config)
		}
		for _, l := range m.Layers {
			if l.MediaType != tc.layr {
				t.Errorf("%s: layer media type %s, want %s", tc.mediaType, l.MediaType, tc.layr)
			}
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatalf("config: %v", err)
		}
		c := cf.Config
		if !slices.Equal(c.Cmd, spec.Cmd) || !slices.Equal(c.Entrypoint, spec.Entrypoint) ||
			!slices.Equal(c.Env, spec.Env) || c.User != spec.User || c.WorkingDir != spec.WorkingDir ||
			c.Labels["app"] != "demo" || len(c.ExposedPorts) != 2 {
			t.Errorf("%s: config %+v does not match spec %+v", tc.mediaType, c, spec)
		}
		for _, p := range spec.ExposedPorts {
			if _, ok := c.ExposedPorts[p]; !ok {
				t.Errorf("%s: exposed port %s missing", tc.mediaType, p)
			}
		}
		if cf.OS != "linux" || cf.Architecture != "arm64" || cf.Variant != "v8" {
			t.Errorf("%s: platform %s/%s/%s, want linux/arm64/v8", tc.mediaType, cf.OS, cf.Architecture, cf.Variant)
		}
	}
}

func testIndexes(t *testing.T, reg *Registry) {
	tests := []struct {
		mediaType     MediaType
		index, child  types.MediaType
		platforms     []Platform
		wantPlatforms []string
	}{
		{mediaType: OCI, index: types.OCIImageIndex, child: types.OCIManifestSchema1,
			wantPlatforms: []string{"linux/amd64", "linux/arm64", "linux/ppc64le"}},
		{mediaType: DockerSchema2, index: types.DockerManifestList, child: types.DockerManifestSchema2,
			platforms:     []Platform{{Architecture: "amd64"}, {OS: "linux", Architecture: "arm", Variant: "v7"}},
			wantPlatforms: []string{"linux/amd64", "linux/arm/v7"}},
	}
	for _, tc := range tests {
		digest, children, err := reg.PushIndex("indexes/app", string(tc.mediaType), tc.mediaType, tc.platforms...)
		if err != nil {
			t.Fatalf("push %s index: %v", tc.mediaType, err)
		}
		idx, err := remote.Index(ref(t, reg, "indexes/app", string(tc.mediaType)), reg.RemoteOptions()...)
		if err != nil {
			t.Fatalf("pull %s index: %v", tc.mediaType, err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatalf("index manifest: %v", err)
		}
		got, _ := idx.Digest()
		if got != digest || im.MediaType != tc.index || len(im.Manifests) != len(tc.wantPlatforms) ||
			len(children) != len(tc.wantPlatforms) {
			t.Fatalf("%s: got digest %s type %s %d children (%d returned), want %s %s %d",
				tc.mediaType, got, im.MediaType, len(im.Manifests), len(children), digest, tc.index, len(tc.wantPlatforms))
		}
		for i, desc := range im.Manifests {
			key := Platform{OS: desc.Platform.OS, Architecture: desc.Platform.Architecture,
				Variant: desc.Platform.Variant}.String()
			if key != tc.wantPlatforms[i] || desc.MediaType != tc.child || children[key] != desc.Digest {
				t.Errorf("%s child %d: %s %s %s, want %s %s %s", tc.mediaType, i, key, desc.MediaType,
					desc.Digest, tc.wantPlatforms[i], tc.child, children[key])
			}
			img, err := idx.Image(desc.Digest)
			if err != nil {
				t.Fatalf("child image %s: %v", key, err)
			}
			if cf, err := img.ConfigFile(); err != nil || cf.Platform().String() != key {
				t.Errorf("child %s config platform mismatch (err %v)", key, err)
			}
		}
	}
}

func ref(t *testing.T, reg *Registry, repo, tag string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(reg.Reference(repo, tag))
	if err != nil {
		t.Fatalf("parse reference: %v", err)
	}
	return r
}

// do sends a raw request through the registry transport and returns the
// status and the WWW-Authenticate (or, for 429, Retry-After) header.
func do(t *testing.T, reg *Registry, method, urlPath, authorization string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, reg.URL()+urlPath, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := (&http.Client{Transport: reg.Transport()}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, urlPath, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}
