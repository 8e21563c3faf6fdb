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

package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/ with the current output")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./internal/cli -run %s -update` to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

var (
	describeNow = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	digestA     = "sha256:4bd26aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	digestB     = "sha256:909debbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func at(d time.Duration) metav1.Time { return metav1.NewTime(describeNow.Add(-d)) }

// describedStream has one tag of every kind describe distinguishes.
func describedStream() *imagev1.ImageStream {
	docker := func(name, from string) imagev1.TagReference {
		return imagev1.TagReference{Name: name, From: &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: from}}
	}
	scheduled := docker("5.7", "registry:5000/foo/mysql:5.7")
	scheduled.ImportPolicy = imagev1.TagImportPolicy{Scheduled: true, Insecure: true}
	reference := docker("2", "registry:5000/foo/mysql:2")
	reference.Reference = true
	local := docker("8.0", "registry:5000/foo/mysql:8.0")
	local.ReferencePolicy.Type = imagev1.LocalTagReferencePolicy
	local.Annotations = map[string]string{"description": "MySQL 8.0", "tags": "database,sql", "sampleRepo": "https://example.com/app.git"}
	return &imagev1.ImageStream{
		ObjectMeta: metav1.ObjectMeta{
			Name: "mysql", Namespace: "team", Generation: 4, CreationTimestamp: at(2 * time.Hour),
			Labels:      map[string]string{"app": "db"},
			Annotations: map[string]string{"description": "Databases", "owner": "dba"},
		},
		Spec: imagev1.ImageStreamSpec{Tags: []imagev1.TagReference{
			scheduled, reference, local,
			{Name: "latest", From: &imagev1.ObjectReference{Kind: imagev1.ImageStreamTagKind, Name: "5.7"}},
			{Name: "stable", From: &imagev1.ObjectReference{Kind: imagev1.ImageStreamTagKind, Name: "mysql:5.7"}},
			{Name: "copy", From: &imagev1.ObjectReference{Kind: imagev1.ImageStreamTagKind, Name: "mysql:8.0", Namespace: "other"}},
			docker("broken", "registry:5000/foo/nothing:1"),
			{Name: "empty"},
		}},
		Status: imagev1.ImageStreamStatus{
			DockerImageRepository: "registry.local/team/mysql",
			Tags: []imagev1.NamedTagEventList{
				{Tag: "5.7", Items: []imagev1.TagEvent{
					{Created: at(30 * time.Minute), DockerImageReference: "registry:5000/foo/mysql@" + digestA, Image: digestA, Generation: 4},
					{Created: at(3 * 24 * time.Hour), DockerImageReference: "registry:5000/foo/mysql:5.7", Image: digestB, Generation: 2},
				}},
				{Tag: "2", Items: []imagev1.TagEvent{{Created: at(time.Hour), DockerImageReference: "registry:5000/foo/mysql:2", Generation: 4}}},
				{Tag: "8.0", Items: []imagev1.TagEvent{{Created: at(90 * time.Second), DockerImageReference: "registry:5000/foo/mysql@" + digestB, Image: digestB, Generation: 3}}},
				{Tag: "latest", Items: []imagev1.TagEvent{{Created: at(30 * time.Minute), DockerImageReference: "registry:5000/foo/mysql@" + digestA, Image: digestA, Generation: 4}}},
				{Tag: "broken", Conditions: []imagev1.TagEventCondition{{
					Type: imagev1.ImportSuccess, Status: corev1.ConditionFalse, Reason: "NotFound",
					Message: "Image not found due to error", LastTransitionTime: at(20 * time.Minute), Generation: 4,
				}}},
				{Tag: "pushed", Items: []imagev1.TagEvent{{Created: at(5 * time.Second), DockerImageReference: "registry.local/team/mysql@" + digestB, Image: digestB, Generation: 4}}},
			},
		},
	}
}

func TestDescribeImageStream(t *testing.T) {
	out := &bytes.Buffer{}
	if err := DescribeImageStream(out, describedStream(), describeNow); err != nil {
		t.Fatal(err)
	}
	golden(t, "describe-is.golden", out.Bytes())
}

func TestDescribeImageStreamWithoutTags(t *testing.T) {
	out := &bytes.Buffer{}
	is := &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Name: "empty", Namespace: "team"}}
	if err := DescribeImageStream(out, is, describeNow); err != nil {
		t.Fatal(err)
	}
	want := "Name:\t\t\tempty\nNamespace:\t\tteam\nLabels:\t\t\t<none>\nAnnotations:\t\t<none>\nImage Repository:\t<none>\nImage Lookup:\t\tlocal=false\nTags:\t\t\t<none>\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}

func TestDescribeImage(t *testing.T) {
	created := at(14 * 24 * time.Hour)
	img := &ImageView{
		ObjectMeta: metav1.ObjectMeta{Name: digestA, CreationTimestamp: at(2 * time.Minute), Annotations: map[string]string{"description": "kept"}},
		ImageData: imagev1.ImageData{
			DockerImageReference: "centos/python-35-centos7@" + digestA,
			DockerImageMetadata: &imagev1.DockerImage{
				Created: &created, Architecture: "amd64", Size: 251200000,
				Config: &imagev1.DockerConfig{
					Entrypoint: []string{"container-entrypoint"}, Cmd: []string{"/bin/sh", "-c", "$STI_SCRIPTS_PATH/usage"},
					WorkingDir: "/opt/app-root/src", User: "1001",
					ExposedPorts: map[string]imagev1.Empty{"8443/tcp": {}, "8080/tcp": {}},
					Labels:       map[string]string{"build-date": "20170801", "name": "CentOS Base Image"},
					Env:          []string{"PATH=/usr/bin", "HOME=/opt/app-root/src"},
					Volumes:      map[string]imagev1.Empty{"/data": {}},
				},
			},
			DockerImageLayers: []imagev1.ImageLayer{{Name: "sha256:5f70", LayerSize: 2898}, {Name: "sha256:ee1d", LayerSize: 196634330}, {Name: "sha256:9211", LayerSize: 72260000}},
		},
	}
	out := &bytes.Buffer{}
	if err := DescribeImage(out, img, img.Name, describeNow); err != nil {
		t.Fatal(err)
	}
	golden(t, "describe-istag.golden", out.Bytes())

	list := &ImageView{
		ObjectMeta: metav1.ObjectMeta{Name: digestB},
		ImageData: imagev1.ImageData{
			DockerImageReference: "quay.io/org/app@" + digestB,
			DockerImageMetadata:  &imagev1.DockerImage{ID: digestB},
			DockerImageManifests: []imagev1.ImageManifest{
				{Digest: digestA, OS: "linux", Architecture: "amd64"},
				{Digest: digestB, OS: "linux", Architecture: "arm64", Variant: "v8"},
			},
		},
	}
	out.Reset()
	if err := DescribeImage(out, list, "app:v1", describeNow); err != nil {
		t.Fatal(err)
	}
	golden(t, "describe-manifest-list.golden", out.Bytes())
}
