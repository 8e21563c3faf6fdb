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

	"github.com/google/go-containerregistry/pkg/v1/types"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

func TestManifestListLegacy(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	list, children := pushIndex(t, reg, "multi/app", "latest", testregistry.DockerSchema2)
	tests := []struct {
		name       string
		controlOS  Platform
		preferArch string
		byDigest   bool
		want       string
	}{
		{name: "control plane linux/amd64", controlOS: linuxAMD, want: "linux/amd64"},
		{name: "prefer arm64", controlOS: linuxAMD, preferArch: "arm64", want: "linux/arm64"},
		{name: "control plane ppc64le", controlOS: Platform{OS: "linux", Architecture: "ppc64le"}, want: "linux/ppc64le"},
		{name: "absent preference falls back to linux/amd64", controlOS: linuxAMD, preferArch: "s390x", want: "linux/amd64"},
		{name: "by digest of the list", controlOS: linuxAMD, byDigest: true, want: "linux/amd64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			imp := newTestImporter(func(o *Options) { o.ControlPlanePlatform = tc.controlOS })
			req := tagRequest(reg, "multi/app", "latest")
			req.PreferArch = tc.preferArch
			if tc.byDigest {
				req.Tag, req.Digest = "", list.String()
			}
			res, err := imp.Import(t.Context(), req)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			want := children[tc.want]
			ref := reg.Host() + "/multi/app@" + want.String()
			if res.Digest != want.String() || res.Reference != ref || res.Image == nil || res.Image.DockerImageReference != ref {
				t.Fatalf("result %+v: want child %s (%s)", res, tc.want, want)
			}
			if arch := res.Image.DockerImageMetadata.Architecture; "linux/"+arch != tc.want {
				t.Errorf("architecture %s: want %s", arch, tc.want)
			}
			if res.Image.DockerImageManifestMediaType != string(types.DockerManifestSchema2) || len(res.Manifests) != 0 {
				t.Errorf("image %+v: want a single Docker schema 2 image", res.Image)
			}
			if !slices.Equal(res.Platforms, []string{"linux/amd64", "linux/arm64", "linux/ppc64le"}) {
				t.Errorf("platforms %v: want the three children", res.Platforms)
			}
		})
	}
}

func TestManifestListLegacyRecheck(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	_, children := pushIndex(t, reg, "multi/app", "latest", testregistry.OCI)
	imp := newTestImporter(nil)
	req := tagRequest(reg, "multi/app", "latest")
	if _, err := imp.Import(t.Context(), req); err != nil {
		t.Fatalf("first import: %v", err)
	}

	reg.ResetRequests()
	req.Known = known(children["linux/amd64"])
	res, err := imp.Import(t.Context(), req)
	if err != nil {
		t.Fatalf("re-check: %v", err)
	}
	if res.Digest != children["linux/amd64"].String() || res.Image != nil {
		t.Errorf("re-check result %+v: want the known amd64 child, nothing fetched", res)
	}
	if h, g, b := countRequests(reg); h != 1 || g != 0 || b != 0 || len(reg.Requests()) != 1 {
		t.Errorf("re-check requests %+v: want exactly 1 HEAD", reg.Requests())
	}

	// Another preference is another choice: the list is read again, the child fetched.
	reg.ResetRequests()
	req.PreferArch = "arm64"
	res, err = imp.Import(t.Context(), req)
	if err != nil {
		t.Fatalf("import arm64: %v", err)
	}
	if res.Digest != children["linux/arm64"].String() || res.Image == nil {
		t.Errorf("arm64 result %+v: want the arm64 child fetched", res)
	}
	if h, g, b := countRequests(reg); h != 1 || g != 2 || b != 1 {
		t.Errorf("arm64 requests %+v: want 1 HEAD, GET list and child, 1 GET blob", reg.Requests())
	}
}

func TestPreserveOriginal(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	list, children := pushIndex(t, reg, "multi/app", "latest", testregistry.OCI)
	imp := newTestImporter(nil)
	req := tagRequest(reg, "multi/app", "latest")
	req.Mode = imagev1.ImportModePreserveOriginal
	res, err := imp.Import(t.Context(), req)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	listRef := reg.Host() + "/multi/app@" + list.String()
	if res.Digest != list.String() || res.Reference != listRef || res.Image == nil {
		t.Fatalf("result %+v: want the list %s", res, list)
	}
	img := res.Image
	if img.DockerImageReference != listRef || img.DockerImageManifestMediaType != string(types.OCIImageIndex) ||
		img.DockerImageMetadata == nil || img.DockerImageMetadata.ID != list.String() || len(img.DockerImageLayers) != 0 {
		t.Errorf("list image %+v: want the OCI index, its digest as ID and no layers", img)
	}
	if len(img.DockerImageManifests) != 3 {
		t.Fatalf("dockerImageManifests %+v: want 3", img.DockerImageManifests)
	}
	for i, p := range []string{"linux/amd64", "linux/arm64", "linux/ppc64le"} {
		m := img.DockerImageManifests[i]
		if m.Digest != children[p].String() || m.MediaType != string(types.OCIManifestSchema1) || m.ManifestSize <= 0 ||
			m.OS+"/"+m.Architecture != p {
			t.Errorf("dockerImageManifests[%d] %+v: want %s %s", i, m, p, children[p])
		}
	}
	if len(res.Manifests) != 3 {
		t.Fatalf("manifests: %d, want 3 children", len(res.Manifests))
	}
	for i, p := range []string{"linux/amd64", "linux/arm64", "linux/ppc64le"} {
		c := res.Manifests[i]
		if c.DockerImageReference != reg.Host()+"/multi/app@"+children[p].String() ||
			"linux/"+c.DockerImageMetadata.Architecture != p || len(c.DockerImageLayers) != 1 {
			t.Errorf("child %d %+v: want the %s image", i, c.DockerImageReference, p)
		}
	}

	// Known children are not fetched again; a known list fetches nothing.
	reg.ResetRequests()
	req.Known = known(children["linux/amd64"], children["linux/arm64"])
	if res, err = imp.Import(t.Context(), req); err != nil || len(res.Manifests) != 1 || res.Image == nil {
		t.Fatalf("with known children: %+v, %v: want the list and one child", res, err)
	}
	if h, g, b := countRequests(reg); h != 1 || g != 2 || b != 1 {
		t.Errorf("with known children, requests %+v: want 1 HEAD, GET list and one child, 1 blob", reg.Requests())
	}
	reg.ResetRequests()
	req.Known = known(list)
	if res, err = imp.Import(t.Context(), req); err != nil || res.Image != nil || res.Digest != list.String() {
		t.Fatalf("known list: %+v, %v: want nothing fetched", res, err)
	}
	if len(reg.Requests()) != 1 {
		t.Errorf("known list requests %+v: want 1 HEAD", reg.Requests())
	}
}
