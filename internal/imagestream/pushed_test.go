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

package imagestream

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

const (
	digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	digestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// stream returns a stream ns/app with the pushed-tags annotation (none when empty), the
// given current images of status tags and spec tags of the given names.
func stream(annotation string, current map[string]string, specTags ...string) *imagev1.ImageStream {
	is := &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "app"}}
	if annotation != "" {
		is.Annotations = map[string]string{imagev1.PushedTagsAnnotation: annotation}
	}
	for tag, image := range current {
		is.Status.Tags = append(is.Status.Tags, imagev1.NamedTagEventList{Tag: tag, Items: []imagev1.TagEvent{{
			DockerImageReference: "registry.local/ns/app@" + image, Image: image,
		}}})
	}
	for _, t := range specTags {
		is.Spec.Tags = append(is.Spec.Tags, imagev1.TagReference{Name: t, From: &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: "quay.io/x/y:" + t}})
	}
	return is
}

func TestPendingPushes(t *testing.T) {
	tests := []struct {
		name string
		is   *imagev1.ImageStream
		want map[string]string
	}{
		{name: "no annotation", is: stream("", nil), want: map[string]string{}},
		{name: "a new tag", is: stream(`{"latest":"`+digestA+`"}`, nil), want: map[string]string{"latest": digestA}},
		{name: "a moved tag", is: stream(`{"latest":"`+digestB+`"}`, map[string]string{"latest": digestA}), want: map[string]string{"latest": digestB}},
		{name: "a tag the status shows", is: stream(`{"latest":"`+digestA+`"}`, map[string]string{"latest": digestA}), want: map[string]string{}},
		{name: "a spec tag of the same name wins", is: stream(`{"latest":"`+digestA+`"}`, nil, "latest"), want: map[string]string{}},
		{name: "an invalid annotation", is: stream(`latest=`+digestA, nil), want: map[string]string{}},
		{
			name: "several",
			is:   stream(`{"a":"`+digestA+`","b":"`+digestB+`","c":"`+digestA+`"}`, map[string]string{"a": digestA, "b": digestA}),
			want: map[string]string{"b": digestB, "c": digestA},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			NewWithT(t).Expect(PendingPushes(tt.is)).To(Equal(tt.want))
		})
	}
}

func TestRecordPush(t *testing.T) {
	tests := []struct {
		name        string
		is          *imagev1.ImageStream
		tag, digest string
		max         int
		want        string
		changed     bool
		fails       bool
	}{
		{name: "first push", is: stream("", nil), tag: "latest", digest: digestA, want: `{"latest":"` + digestA + `"}`, changed: true},
		{name: "a push the status shows already (sent again)", is: stream("", map[string]string{"latest": digestA}), tag: "latest", digest: digestA},
		{name: "the same push again, not imported yet", is: stream(`{"latest":"`+digestA+`"}`, nil), tag: "latest", digest: digestA, want: `{"latest":"` + digestA + `"}`},
		{name: "a move before the import", is: stream(`{"latest":"`+digestA+`"}`, nil), tag: "latest", digest: digestB, want: `{"latest":"` + digestB + `"}`, changed: true},
		{
			name: "entries the status shows are dropped", is: stream(`{"a":"`+digestA+`"}`, map[string]string{"a": digestA}),
			tag: "b", digest: digestB, want: `{"b":"` + digestB + `"}`, changed: true,
		},
		{
			name: "the last entry shown: the annotation goes", is: stream(`{"a":"`+digestA+`"}`, map[string]string{"a": digestA}),
			tag: "a", digest: digestA, want: "", changed: true,
		},
		{name: "a spec tag of the same name wins", is: stream("", nil, "latest"), tag: "latest", digest: digestA},
		{name: "an invalid annotation is replaced", is: stream(`oops`, nil), tag: "v1", digest: digestA, want: `{"v1":"` + digestA + `"}`, changed: true},
		{name: "too many waiting", is: stream(`{"a":"`+digestA+`","b":"`+digestA+`"}`, nil), tag: "c", digest: digestA, max: 2, fails: true},
		{name: "at the limit", is: stream(`{"a":"`+digestA+`"}`, nil), tag: "c", digest: digestA, max: 2, want: `{"a":"` + digestA + `","c":"` + digestA + `"}`, changed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			value, changed, err := RecordPush(tt.is, tt.tag, tt.digest, tt.max)
			if tt.fails {
				g.Expect(err).To(MatchError(ContainSubstring("waiting to be imported (at most 2)")))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(value).To(Equal(tt.want))
			g.Expect(changed).To(Equal(tt.changed))
		})
	}
}

func TestIntegratedTags(t *testing.T) {
	is := stream("", map[string]string{"pushed": digestA, "spec": digestB})
	is.Spec.Tags = []imagev1.TagReference{{Name: "spec"}}
	is.Status.Tags = append(is.Status.Tags,
		imagev1.NamedTagEventList{Tag: "copied", Items: []imagev1.TagEvent{{DockerImageReference: "quay.io/x/y@" + digestA, Image: digestA}}},
		imagev1.NamedTagEventList{Tag: "other-stream", Items: []imagev1.TagEvent{{DockerImageReference: "registry.local/ns/app2@" + digestA, Image: digestA}}},
		imagev1.NamedTagEventList{Tag: "empty"})
	NewWithT(t).Expect(IntegratedTags(is, "registry.local/ns/app")).To(Equal([]string{"pushed"}))
}
