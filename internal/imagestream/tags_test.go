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
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

const (
	repo = "quay.io/org/app"
	d1   = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	d2   = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

var t0 = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))

func event(ref, image string, gen int64) imagev1.TagEvent {
	return imagev1.TagEvent{Created: t0, DockerImageReference: ref, Image: image, Generation: gen}
}

func failed(gen int64) []imagev1.TagEventCondition {
	return []imagev1.TagEventCondition{{Type: imagev1.ImportSuccess, Status: corev1.ConditionFalse, Reason: "NotFound", Message: "gone", Generation: gen, LastTransitionTime: t0}}
}

func TestAddTagEvent(t *testing.T) {
	cases := []struct {
		name      string
		items     []imagev1.TagEvent
		conds     []imagev1.TagEventCondition
		next      imagev1.TagEvent
		changed   bool
		wantItems []imagev1.TagEvent
	}{
		{"first event", nil, nil, event(repo+"@"+d1, d1, 1), true,
			[]imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}},
		{"identical event is a no-op", []imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}, nil, event(repo+"@"+d1, d1, 1), false,
			[]imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}},
		{"identical event clears an old failure", []imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}, failed(1), event(repo+"@"+d1, d1, 1), true,
			[]imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}},
		{"same image and pull spec, newer generation: collapsed", []imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}, nil, event(repo+"@"+d1, d1, 3), true,
			[]imagev1.TagEvent{event(repo+"@"+d1, d1, 3)}},
		{"same pull spec, new image: updated in place", []imagev1.TagEvent{event(repo+":v1", "", 1)}, nil, event(repo+":v1", d2, 2), true,
			[]imagev1.TagEvent{event(repo+":v1", d2, 2)}},
		{"same image, new pull spec: updated in place", []imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}, nil, event("docker.io/org/app@"+d1, d1, 2), true,
			[]imagev1.TagEvent{event("docker.io/org/app@"+d1, d1, 2)}},
		{"new image and pull spec: pushed on top", []imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}, nil, event(repo+"@"+d2, d2, 2), true,
			[]imagev1.TagEvent{event(repo+"@"+d2, d2, 2), event(repo+"@"+d1, d1, 1)}},
		{"rollback to an older image pushes it on top again", []imagev1.TagEvent{event(repo+"@"+d2, d2, 2), event(repo+"@"+d1, d1, 1)}, nil, event(repo+"@"+d1, d1, 3), true,
			[]imagev1.TagEvent{event(repo+"@"+d1, d1, 3), event(repo+"@"+d2, d2, 2), event(repo+"@"+d1, d1, 1)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status := &imagev1.ImageStreamStatus{}
			if tc.items != nil || tc.conds != nil {
				status.Tags = []imagev1.NamedTagEventList{{Tag: "latest", Items: tc.items, Conditions: tc.conds}}
			}
			if got := AddTagEvent(status, "latest", tc.next); got != tc.changed {
				t.Fatalf("changed = %v, want %v", got, tc.changed)
			}
			tag := StatusTag(status, "latest")
			if len(tag.Conditions) != 0 {
				t.Errorf("conditions = %v, want none after a successful event", tag.Conditions)
			}
			if len(tag.Items) != len(tc.wantItems) {
				t.Fatalf("items = %v, want %v", tag.Items, tc.wantItems)
			}
			for i := range tc.wantItems {
				if !equalEvent(tag.Items[i], tc.wantItems[i]) {
					t.Errorf("items[%d] = %+v, want %+v", i, tag.Items[i], tc.wantItems[i])
				}
			}
		})
	}
}

func equalEvent(a, b imagev1.TagEvent) bool {
	return a.DockerImageReference == b.DockerImageReference && a.Image == b.Image && a.Generation == b.Generation && a.Created.Equal(&b.Created)
}

func TestSetImportFailureKeepsHistory(t *testing.T) {
	status := &imagev1.ImageStreamStatus{Tags: []imagev1.NamedTagEventList{{Tag: "latest", Items: []imagev1.TagEvent{event(repo+"@"+d1, d1, 1)}}}}
	later := metav1.NewTime(t0.Add(time.Hour))

	if !SetImportFailure(status, "latest", "NotFound", `dockerimage "quay.io/org/app:latest" not found`, 2, t0) {
		t.Fatal("first failure must change status")
	}
	if SetImportFailure(status, "latest", "NotFound", `dockerimage "quay.io/org/app:latest" not found`, 2, later) {
		t.Fatal("an identical failure must not change status")
	}
	c := ImportFailure(status, "latest")
	if c == nil || c.Reason != "NotFound" || c.Generation != 2 || !c.LastTransitionTime.Equal(&t0) {
		t.Fatalf("condition = %+v", c)
	}
	if got := LatestEvent(status, "latest"); got == nil || got.Image != d1 {
		t.Fatalf("the last good image must stay current, got %+v", got)
	}
	if got := ObservedGeneration(status, "latest"); got != 2 {
		t.Errorf("observed generation = %d, want 2 (the failure's)", got)
	}
	if !SetImportFailure(status, "latest", "Unauthorized", "denied", 2, later) {
		t.Fatal("a different failure must change status")
	}
	if got := ImportFailure(status, "latest"); got.Reason != "Unauthorized" || !got.LastTransitionTime.Equal(&later) {
		t.Errorf("condition = %+v", got)
	}
}

func TestObservedGenerationWithoutStatus(t *testing.T) {
	if got := ObservedGeneration(&imagev1.ImageStreamStatus{}, "latest"); got != -1 {
		t.Errorf("got %d, want -1", got)
	}
}

func TestTrimHistory(t *testing.T) {
	status := &imagev1.ImageStreamStatus{Tags: []imagev1.NamedTagEventList{
		{Tag: "a", Items: []imagev1.TagEvent{event("r@"+d2, d2, 3), event("r@"+d1, d1, 2), event("r:x", "", 1)}},
		{Tag: "b", Items: []imagev1.TagEvent{event("r@"+d1, d1, 1)}},
	}}
	trimmed := TrimHistory(status, 2, MaxStatusBytes)
	if len(trimmed) != 1 || trimmed[0] != "a" {
		t.Fatalf("trimmed = %v, want [a]", trimmed)
	}
	if items := StatusTag(status, "a").Items; len(items) != 2 || items[0].Image != d2 {
		t.Errorf("a kept %v, want the two newest", items)
	}
	if got := ReferencedImages(status); len(got) != 2 || !got[d1] || !got[d2] {
		t.Errorf("referenced images = %v", got)
	}
}

func TestPullSpec(t *testing.T) {
	e := event(repo+"@"+d1, d1, 1)
	cases := []struct {
		policy imagev1.TagReferencePolicyType
		local  string
		want   string
	}{
		{"", "", repo + "@" + d1},
		{imagev1.SourceTagReferencePolicy, "registry.local/ns/app", repo + "@" + d1},
		{imagev1.LocalTagReferencePolicy, "registry.local/ns/app", "registry.local/ns/app@" + d1},
		{imagev1.LocalTagReferencePolicy, "", repo + "@" + d1},
	}
	for _, tc := range cases {
		if got := PullSpec(e, tc.policy, tc.local); got != tc.want {
			t.Errorf("PullSpec(%q, %q) = %q, want %q", tc.policy, tc.local, got, tc.want)
		}
	}
	if got := PullSpec(event(repo+":v1", "", 1), imagev1.LocalTagReferencePolicy, "registry.local/ns/app"); got != repo+":v1" {
		t.Errorf("a reference tag without image keeps its pull spec, got %q", got)
	}
}

func TestTrimHistoryToSize(t *testing.T) {
	status := &imagev1.ImageStreamStatus{}
	for i := range 400 {
		ref := fmt.Sprintf("%s@sha256:%064d", repo, i)
		AddTagEvent(status, "busy", event(ref, fmt.Sprintf("sha256:%064d", i), int64(i)))
		if i < 5 {
			AddTagEvent(status, "quiet", event(ref, fmt.Sprintf("sha256:%064d", i), int64(i)))
		}
	}
	limit := 20 << 10
	trimmed := TrimHistory(status, 0, limit)
	if got := jsonSize(status); got > limit {
		t.Fatalf("status is %d bytes, want at most %d", got, limit)
	}
	if len(trimmed) != 1 || trimmed[0] != "busy" {
		t.Errorf("trimmed %v, want only the longest history", trimmed)
	}
	if got := LatestEvent(status, "busy").Generation; got != 399 {
		t.Errorf("the newest item must stay, got generation %d", got)
	}
	if got := len(StatusTag(status, "quiet").Items); got != 5 {
		t.Errorf("the short history kept %d items, want 5", got)
	}
}
