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
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

func streamWith(tags ...imagev1.TagReference) *imagev1.ImageStream {
	return &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "app"}, Spec: imagev1.ImageStreamSpec{Tags: tags}}
}

func istag(name, from, namespace string) imagev1.TagReference {
	return imagev1.TagReference{Name: name, From: &imagev1.ObjectReference{Kind: imagev1.ImageStreamTagKind, Name: from, Namespace: namespace}}
}

func TestResolveTracking(t *testing.T) {
	docker := imagev1.TagReference{Name: "3.12", From: &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: "python:3.12"}}
	is := streamWith(docker,
		istag("latest", "3", ""), istag("3", "app:3.12", "ns"), // chain latest -> 3 -> 3.12
		istag("self", "self", ""),                                     // self reference
		istag("a", "b", ""), istag("b", "c", ""), istag("c", "a", ""), // cycle
		istag("other", "base:1", ""), istag("elsewhere", "2", "shared"), // copies, not tracking
	)
	targets, errs := ResolveTracking(is)
	if targets["latest"] != "3.12" || targets["3"] != "3.12" {
		t.Errorf("targets = %v, want latest and 3 resolved to 3.12", targets)
	}
	if _, ok := targets["other"]; ok {
		t.Error("a tag of another stream is copied, not tracked")
	}
	if _, ok := targets["elsewhere"]; ok {
		t.Error("a tag of another namespace is copied, not tracked")
	}
	if got := errs["self"]; got == nil || got.Error() != `tag "self" on the image stream is a reference to same tag` {
		t.Errorf("self: %v", got)
	}
	for _, tag := range []string{"a", "b", "c"} {
		if got := errs[tag]; got == nil || !strings.Contains(got.Error(), "tags form a cycle: ") {
			t.Errorf("%s: %v", tag, got)
		}
	}
	if got := errs["a"].Error(); got != "tags form a cycle: a -> b -> c -> a" {
		t.Errorf("cycle message = %q", got)
	}
}

func TestResolveImageID(t *testing.T) {
	status := &imagev1.ImageStreamStatus{Tags: []imagev1.NamedTagEventList{
		{Tag: "latest", Items: []imagev1.TagEvent{event(repo+"@"+d2, d2, 2), event(repo+"@"+d1, d1, 1)}},
		{Tag: "old", Items: []imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}},
	}}
	for _, id := range []string{d1, "sha256:1111", "1111"} {
		got, err := ResolveImageID(status, id)
		if err != nil || got.Image != d1 {
			t.Errorf("ResolveImageID(%q) = %v, %v", id, got.Image, err)
		}
	}
	if _, err := ResolveImageID(status, "sha256:3"); err == nil || !strings.Contains(err.Error(), "no image") {
		t.Errorf("no match: %v", err)
	}
	if _, err := ResolveImageID(status, "sha256:"); err == nil || !strings.Contains(err.Error(), "multiple images match the prefix") {
		t.Errorf("ambiguous: %v", err)
	}
}

// TestRollback shows `latest` rolled back to the previous image and forward again: each
// step pushes a new top item and keeps the older ones.
func TestRollback(t *testing.T) {
	status := &imagev1.ImageStreamStatus{}
	AddTagEvent(status, "latest", event(repo+"@"+d1, d1, 1))
	AddTagEvent(status, "latest", event(repo+"@"+d2, d2, 2))

	previous, err := ResolveImageID(status, d1)
	if err != nil {
		t.Fatal(err)
	}
	previous.Generation = 3
	AddTagEvent(status, "latest", previous)
	if got := LatestEvent(status, "latest").Image; got != d1 {
		t.Fatalf("after rollback latest = %s, want %s", got, d1)
	}
	forward, _ := ResolveImageID(status, d2)
	forward.Generation = 4
	AddTagEvent(status, "latest", forward)

	var images []string
	for _, e := range StatusTag(status, "latest").Items {
		images = append(images, e.Image)
	}
	if strings.Join(images, ",") != strings.Join([]string{d2, d1, d2, d1}, ",") {
		t.Errorf("history = %v, want [d2 d1 d2 d1]", images)
	}
}
