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
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

func TestParseTagSource(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	tests := []struct {
		source, kind     string
		wantKind, wantNS string
		wantFrom, wantSt string
		wantErr          string
	}{
		{source: "python:3.5", wantKind: imagev1.ImageStreamTagKind, wantFrom: "python:3.5", wantSt: "python:3.5"},
		{source: "docker.io/python:3.6.0", wantKind: imagev1.DockerImageKind, wantFrom: "docker.io/python:3.6.0", wantSt: "docker.io/python:3.6.0"},
		{source: "centos/python-35-centos7", wantKind: imagev1.DockerImageKind, wantNS: "centos", wantFrom: "centos/python-35-centos7", wantSt: "centos/python-35-centos7"},
		{source: "python@" + digest, wantKind: imagev1.ImageStreamImageKind, wantFrom: "python@" + digest, wantSt: "python@" + digest},
		{source: "other/python:3.5", wantKind: imagev1.ImageStreamTagKind, wantNS: "other", wantFrom: "python:3.5", wantSt: "other/python:3.5"},
		{source: "python", kind: imagev1.ImageStreamTagKind, wantErr: "--source=ImageStreamTag requires a valid <name>:<tag> in SOURCE"},
		{source: "python:3.5", kind: imagev1.ImageStreamImageKind, wantErr: "--source=ImageStreamImage requires a valid <name>@<id> in SOURCE"},
		{source: "quay.io/python:3.5", kind: imagev1.ImageStreamTagKind, wantErr: "server in SOURCE is only allowed when providing a container image"},
		{source: "Python:3.5", wantErr: "invalid SOURCE: repository name must be lowercase"},
		{source: "python:3.5", kind: imagev1.DockerImageKind, wantKind: imagev1.DockerImageKind, wantFrom: "python:3.5", wantSt: "python:3.5"},
	}
	for _, tt := range tests {
		t.Run(tt.source+"/"+tt.kind, func(t *testing.T) {
			got, err := parseTagSource(tt.source, tt.kind)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.kind != tt.wantKind || got.ref.Namespace != tt.wantNS || got.fromName() != tt.wantFrom || got.String() != tt.wantSt {
				t.Errorf("got kind %s ns %q from %q string %q", got.kind, got.ref.Namespace, got.fromName(), got.String())
			}
		})
	}
}

func TestParseSourceKind(t *testing.T) {
	for in, want := range map[string]string{"": "", "istag": imagev1.ImageStreamTagKind, "ImageStreamImage": imagev1.ImageStreamImageKind, "docker": imagev1.DockerImageKind} {
		if got, err := parseSourceKind(in); err != nil || got != want {
			t.Errorf("parseSourceKind(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := parseSourceKind("git")
	want := `invalid source "git"; valid values are docker, dockerimage, imagestreamimage, imagestreamtag, isimage, istag`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestParseDestination(t *testing.T) {
	tests := []struct{ arg, ns, stream, tag, err string }{
		{arg: "python:latest", ns: "default", stream: "python", tag: "latest"},
		{arg: "team/python:3.6", ns: "team", stream: "python", tag: "3.6"},
		{arg: "python", err: `"python" must be of the form <stream_name>:<tag>`},
		{arg: "a/b/c:d", err: `invalid image stream "a/b/c:d"`},
		{arg: "/python:3", err: `invalid namespace "" for image stream "/python:3"`},
	}
	for _, tt := range tests {
		d, err := parseDestination("default", tt.arg)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error = %v, want %q", tt.arg, err, tt.err)
			}
			continue
		}
		if err != nil || d.namespace != tt.ns || d.stream != tt.stream || d.tag != tt.tag {
			t.Errorf("%s: got %+v, %v", tt.arg, d, err)
		}
	}
}

func TestValidateTagName(t *testing.T) {
	if err := validateTagName("3.6-slim_x"); err != nil {
		t.Error(err)
	}
	err := validateTagName("invalid-tagname-test#123")
	want := `invalid tag "invalid-tagname-test#123" format, tags must start with an alphanumeric character followed by alphanumeric, '.' or '-' characters, and have a maximum of 128 characters`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if validateTagName(strings.Repeat("a", 129)) == nil {
		t.Error("a 129-character tag must be refused")
	}
}

func TestParseImportModeAndPolicy(t *testing.T) {
	for _, ok := range []string{"", "Legacy", "PreserveOriginal"} {
		if _, err := parseImportMode(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"NoPreserveOriginal", "legacy"} {
		if _, err := parseImportMode(bad); err == nil || err.Error() != "valid ImportMode values are Legacy or PreserveOriginal" {
			t.Errorf("%q: error = %v", bad, err)
		}
	}
	if p, err := parseReferencePolicy("Local", false); err != nil || p != imagev1.LocalTagReferencePolicy {
		t.Errorf("import accepts Local: %v %v", p, err)
	}
	if _, err := parseReferencePolicy("Local", true); err == nil || err.Error() != "reference policy must be set to 'source' or 'local'" {
		t.Errorf("tag refuses Local: %v", err)
	}
}

func TestTagValidate(t *testing.T) {
	istag, _ := parseTagSource("python:3.5", "")
	docker, _ := parseTagSource("docker.io/python:3.6", "")
	same := []tagDestination{{namespace: "ns", stream: "python", tag: "latest"}}
	other := []tagDestination{{namespace: "ns", stream: "ruby", tag: "latest"}}
	tests := []struct {
		name   string
		f      tagFlags
		source tagSourceRef
		dests  []tagDestination
		err    string
	}{
		{"alias within a stream", tagFlags{alias: true}, istag, same, ""},
		{"alias across streams", tagFlags{alias: true}, istag, other, "cannot set alias across different Image Streams"},
		{"alias across namespaces", tagFlags{alias: true}, istag, []tagDestination{{namespace: "x", stream: "python", tag: "l"}}, "cannot set alias across different Image Streams"},
		{"alias and delete", tagFlags{alias: true, delete: true}, tagSourceRef{}, same, "--alias and --delete may not be both specified"},
		{"scheduled istag", tagFlags{scheduled: true}, istag, same, "only container images can have importing flags set"},
		{"insecure docker", tagFlags{insecure: true}, docker, same, ""},
		{"delete with import flags", tagFlags{delete: true, scheduled: true}, tagSourceRef{}, same, "cannot set flags for importing images when deleting a tag"},
		{"delete with a source kind", tagFlags{delete: true, sourceKind: "docker"}, tagSourceRef{}, same, "cannot specify a source kind when deleting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.validate(tt.source, "ns", tt.dests)
			if (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
				t.Errorf("error = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestTagMessageAndReference(t *testing.T) {
	digest := "sha256:" + strings.Repeat("49", 32)
	isimage := tagSourceRef{kind: imagev1.ImageStreamImageKind}
	isimage.ref.Name, isimage.ref.ID = "python", digest
	docker, _ := parseTagSource("docker.io/python:3.6.0", "")
	istag, _ := parseTagSource("python:3.5", "")
	dest := tagDestination{namespace: "default", stream: "python", tag: "latest"}

	tests := []struct {
		f      tagFlags
		source tagSourceRef
		dest   tagDestination
		want   string
	}{
		{tagFlags{}, isimage, dest, "Tag python:latest set to python@" + digest + "."},
		{tagFlags{}, docker, tagDestination{namespace: "default", stream: "python", tag: "3.6"}, "Tag python:3.6 set to docker.io/python:3.6.0."},
		{tagFlags{scheduled: true}, docker, tagDestination{namespace: "default", stream: "python", tag: "3.6"}, "Tag python:3.6 set to import docker.io/python:3.6.0 periodically."},
		{tagFlags{alias: true}, istag, dest, "Tag python:latest set up to track python:3.5."},
		{tagFlags{}, docker, tagDestination{namespace: "team", stream: "python", tag: "3.6"}, "Tag team/python:3.6 set to docker.io/python:3.6.0."},
	}
	for _, tt := range tests {
		if got := tagMessage(tt.f, tt.source, tt.dest, "default"); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}

	ref, err := tagReference(tagFlags{referencePolicy: "source"}, isimage, tagDestination{namespace: "team", stream: "python", tag: "latest"}, "default",
		&imagev1.TagReference{Name: "latest", Annotations: map[string]string{"description": "kept"}})
	if err != nil {
		t.Fatal(err)
	}
	if ref.From.Kind != imagev1.ImageStreamImageKind || ref.From.Name != "python@"+digest || ref.From.Namespace != "default" ||
		ref.Annotations["description"] != "kept" || ref.ReferencePolicy.Type != imagev1.SourceTagReferencePolicy {
		t.Errorf("cross-namespace copy: %+v from %+v", ref, *ref.From)
	}
	ref, _ = tagReference(tagFlags{alias: true, referencePolicy: "local"}, istag, dest, "default", nil)
	if ref.From.Kind != imagev1.ImageStreamTagKind || ref.From.Name != "python:3.5" || ref.From.Namespace != "" || ref.ReferencePolicy.Type != imagev1.LocalTagReferencePolicy {
		t.Errorf("alias: %+v from %+v", ref, *ref.From)
	}
}

func TestHumanize(t *testing.T) {
	for d, want := range map[time.Duration]string{
		500 * time.Millisecond: "Less than a second",
		time.Second:            "1 second",
		30 * time.Second:       "30 seconds",
		90 * time.Second:       "About a minute",
		5 * time.Minute:        "5 minutes",
		65 * time.Minute:       "About an hour",
		5 * time.Hour:          "5 hours",
		72 * time.Hour:         "3 days",
		15 * 24 * time.Hour:    "2 weeks",
		90 * 24 * time.Hour:    "3 months",
		800 * 24 * time.Hour:   "2 years",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%s) = %q, want %q", d, got, want)
		}
	}
	for size, want := range map[int64]string{512: "512B", 2898: "2.898kB", 251200000: "251.2MB", 72260000: "72.26MB"} {
		if got := humanSize(size); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", size, got, want)
		}
	}
}

func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		for _, sub := range cmd.Commands() {
			if sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			if sub.Short == "" || sub.Long == "" {
				t.Errorf("%s has no description", sub.CommandPath())
			}
			if sub.Example == "" && !sub.HasAvailableSubCommands() {
				t.Errorf("%s has no examples", sub.CommandPath())
			}
			walk(sub)
		}
	}
	root := NewCommand(genericiooptions.NewTestIOStreamsDiscard())
	if root.Example == "" {
		t.Error("the root command has no examples")
	}
	walk(root)

	out := &bytes.Buffer{}
	root.SetOut(out)
	root.SetArgs([]string{"tag", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage:\n  kubectl imagestream tag [--source=SOURCETYPE] SOURCE DEST [DEST ...] [flags]\n", "Examples:\n", "--alias", "\n\nUse \"kubectl imagestream options\""} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("tag --help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out.String(), "--kubeconfig") {
		t.Errorf("tag --help lists the global flags; they belong to `options`")
	}
}
