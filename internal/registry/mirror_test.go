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
	"strings"
	"testing"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

func TestParseMirror(t *testing.T) {
	tests := []struct {
		in      string
		want    Mirror
		wantErr string
	}{
		{in: "docker.io=mirror.local:5000", want: Mirror{Source: "docker.io", Mirror: "mirror.local:5000"}},
		{in: "quay.io/org=http://127.0.0.1:5000/org/", want: Mirror{Source: "quay.io/org", Mirror: "127.0.0.1:5000/org", Insecure: true}},
		{in: "ghcr.io=https://mirror.example.com/ghcr", want: Mirror{Source: "ghcr.io", Mirror: "mirror.example.com/ghcr"}},
		{in: "docker.io", wantErr: "is not of the form <source>[/<path>]=[http://]<mirror>[/<path>]"},
		{in: "=mirror.local", wantErr: "is not of the form"},
		{in: "docker.io=ftp://mirror.local", wantErr: "is not of the form"},
		{in: "docker.io=Mirror Local", wantErr: `"Mirror Local" is not a registry host`},
		{in: "docker.io/Library=mirror.local", wantErr: `"docker.io/Library" is not a registry host`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMirror(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMirror(%q) = %+v, %v: want an error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseMirror(%q) = %+v, %v: want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestMirrorCandidates(t *testing.T) {
	mirrors := []Mirror{
		{Source: "docker.io", Mirror: "mirror.local/hub"},
		{Source: "docker.io/library", Mirror: "official.local", Insecure: true},
		{Source: "quay.io", Mirror: "quay-mirror.local"},
	}
	tests := []struct {
		repository string
		policy     string
		want       []string // "<connect to> as <display>"
	}{
		{repository: "docker.io/library/python", want: []string{
			"official.local/python as docker.io/library/python",
			"mirror.local/hub/library/python as docker.io/library/python",
			"index.docker.io/library/python as docker.io/library/python", // go-containerregistry's name for Docker Hub
		}},
		{repository: "docker.io/bitnami/redis", policy: NeverContactSource, want: []string{
			"mirror.local/hub/bitnami/redis as docker.io/bitnami/redis",
		}},
		{repository: "quay.io.evil.com/x/y", policy: NeverContactSource, want: []string{
			"quay.io.evil.com/x/y as quay.io.evil.com/x/y", // not mirrored: the source is the only candidate
		}},
	}
	for _, tt := range tests {
		t.Run(tt.repository, func(t *testing.T) {
			imp := newTestImporter(func(o *Options) { o.Mirrors, o.MirrorSourcePolicy = mirrors, tt.policy })
			host, path, _ := strings.Cut(tt.repository, "/")
			src, err := newTarget(host, path, false)
			if err != nil {
				t.Fatal(err)
			}
			targets, err := imp.candidates(src)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range targets {
				got = append(got, c.repository.Name()+" as "+c.display)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("candidates = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestImportThroughMirror(t *testing.T) {
	source := testregistry.New(t, testregistry.Options{})
	mirror := testregistry.New(t, testregistry.Options{})
	digest := push(t, mirror, "library/python", "3.12", testregistry.ImageSpec{Cmd: []string{"python3"}})
	// A source repository path the mirror does not hold: imports fall back to the source.
	fallback := push(t, source, "team/app", "v1", testregistry.ImageSpec{})
	mirrors := []Mirror{{Source: source.Host() + "/library", Mirror: mirror.Host() + "/library", Insecure: true},
		{Source: source.Host() + "/team", Mirror: mirror.Host() + "/team", Insecure: true}}

	t.Run("the mirror's image, recorded under the source name", func(t *testing.T) {
		imp := newTestImporter(func(o *Options) { o.Mirrors = mirrors })
		res, err := imp.Import(t.Context(), tagRequest(source, "library/python", "3.12"))
		if err != nil {
			t.Fatal(err)
		}
		if want := source.Host() + "/library/python@" + digest.String(); res.Reference != want || res.Image == nil ||
			res.Image.DockerImageReference != want || res.Image.DockerImageMetadata.Config.Cmd[0] != "python3" {
			t.Errorf("result %s %+v: want reference %s with the mirror's metadata", res.Reference, res.Image, want)
		}
		if n := len(source.Requests()); n != 0 {
			t.Errorf("the source received %d requests, want none: %v", n, source.Requests())
		}
	})

	t.Run("not on the mirror: the source", func(t *testing.T) {
		imp := newTestImporter(func(o *Options) { o.Mirrors = mirrors })
		res, err := imp.Import(t.Context(), tagRequest(source, "team/app", "v1"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Digest != fallback.String() || mirror.Count("HEAD", "/team/app/manifests/v1") != 1 {
			t.Errorf("result %s, mirror requests %v: want %s from the source after one HEAD at the mirror", res.Digest, mirror.Requests(), fallback)
		}
	})

	t.Run("NeverContactSource: the mirror's error, naming the mirror, and nothing sent to the source", func(t *testing.T) {
		source.ResetRequests()
		imp := newTestImporter(func(o *Options) { o.Mirrors, o.MirrorSourcePolicy = mirrors, NeverContactSource })
		_, err := imp.Import(t.Context(), tagRequest(source, "team/app", "v1"))
		requireError(t, err, ReasonNotFound, "(mirror "+mirror.Host()+"/team/app)")
		if n := len(source.Requests()); n != 0 {
			t.Errorf("the source received %d requests, want none", n)
		}
	})

	t.Run("tags are listed through the mirror", func(t *testing.T) {
		imp := newTestImporter(func(o *Options) { o.Mirrors, o.MirrorSourcePolicy = mirrors, NeverContactSource })
		tags, err := imp.ListTags(t.Context(), source.Host(), "library/python", true, nil)
		if err != nil || !slices.Equal(tags, []string{"3.12"}) {
			t.Errorf("ListTags = %q, %v: want the mirror's [3.12]", tags, err)
		}
	})
}
