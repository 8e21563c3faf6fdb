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

// Package imagestream holds the pure domain logic of image streams: how tag events enter a
// tag's history, when a tag needs import, and how a tag resolves to a pull spec. It has no
// client and no clock of its own; controllers pass in what it needs.
package imagestream

import (
	"encoding/json"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// StatusTag returns the history of tag in status, or nil.
func StatusTag(status *imagev1.ImageStreamStatus, tag string) *imagev1.NamedTagEventList {
	for i := range status.Tags {
		if status.Tags[i].Tag == tag {
			return &status.Tags[i]
		}
	}
	return nil
}

// LatestEvent returns the current event of tag (items[0]), or nil.
func LatestEvent(status *imagev1.ImageStreamStatus, tag string) *imagev1.TagEvent {
	if t := StatusTag(status, tag); t != nil && len(t.Items) > 0 {
		return &t.Items[0]
	}
	return nil
}

// statusTagFor returns the history of tag, adding an empty one when missing.
func statusTagFor(status *imagev1.ImageStreamStatus, tag string) *imagev1.NamedTagEventList {
	if t := StatusTag(status, tag); t != nil {
		return t
	}
	status.Tags = append(status.Tags, imagev1.NamedTagEventList{Tag: tag})
	return &status.Tags[len(status.Tags)-1]
}

// AddTagEvent records next as the current event of tag with OpenShift's rule
// (AddTagEventToImageStream): a new top item only when both the pull spec and the image
// differ from the current one; otherwise the current item is updated in place. Any change
// clears the tag's conditions: a success supersedes earlier import errors. It reports
// whether status changed.
func AddTagEvent(status *imagev1.ImageStreamStatus, tag string, next imagev1.TagEvent) bool {
	t := statusTagFor(status, tag)
	if len(t.Items) == 0 {
		t.Items = []imagev1.TagEvent{next}
		t.Conditions = nil
		return true
	}
	top := &t.Items[0]
	sameRef := top.DockerImageReference == next.DockerImageReference
	sameImage := top.Image == next.Image
	switch {
	case sameRef && sameImage && top.Generation == next.Generation:
		if len(t.Conditions) == 0 {
			return false
		}
	case sameRef && sameImage:
		top.Generation = next.Generation
	case sameRef:
		top.Image = next.Image
		top.Generation = next.Generation
		top.Platforms = next.Platforms
	case sameImage:
		top.DockerImageReference = next.DockerImageReference
		top.Generation = next.Generation
	default:
		t.Items = append([]imagev1.TagEvent{next}, t.Items...)
	}
	t.Conditions = nil
	return true
}

// SetImportFailure records a failed import of tag as the condition ImportSuccess=False with
// reason, message and generation, replacing the tag's conditions and keeping its items, so
// the last good image stays current. An identical condition is left untouched (its
// lastTransitionTime does not move). It reports whether status changed.
func SetImportFailure(status *imagev1.ImageStreamStatus, tag, reason, message string, generation int64, now metav1.Time) bool {
	t := statusTagFor(status, tag)
	if len(t.Conditions) == 1 {
		c := t.Conditions[0]
		if c.Type == imagev1.ImportSuccess && c.Status == corev1.ConditionFalse &&
			c.Reason == reason && c.Message == message && c.Generation == generation {
			return false
		}
	}
	t.Conditions = []imagev1.TagEventCondition{{
		Type:               imagev1.ImportSuccess,
		Status:             corev1.ConditionFalse,
		LastTransitionTime: now,
		Reason:             reason,
		Message:            message,
		Generation:         generation,
	}}
	return true
}

// ImportFailure returns the ImportSuccess=False condition of tag, or nil.
func ImportFailure(status *imagev1.ImageStreamStatus, tag string) *imagev1.TagEventCondition {
	if t := StatusTag(status, tag); t != nil {
		for i := range t.Conditions {
			if t.Conditions[i].Type == imagev1.ImportSuccess && t.Conditions[i].Status == corev1.ConditionFalse {
				return &t.Conditions[i]
			}
		}
	}
	return nil
}

// ObservedGeneration is the newest stream generation a tag's status reflects: the larger
// of its current event's and its import condition's generation (OpenShift's
// latestObservedTagGeneration). -1 when the tag has no status.
func ObservedGeneration(status *imagev1.ImageStreamStatus, tag string) int64 {
	observed := int64(-1)
	t := StatusTag(status, tag)
	if t == nil {
		return observed
	}
	if len(t.Items) > 0 {
		observed = t.Items[0].Generation
	}
	for _, c := range t.Conditions {
		if c.Type == imagev1.ImportSuccess && c.Generation > observed {
			observed = c.Generation
		}
	}
	return observed
}

// Importable reports whether the operator imports spec tag t from a registry: a DockerImage
// tag that is not a reference.
func Importable(t imagev1.TagReference) bool {
	return t.From != nil && t.From.Kind == imagev1.DockerImageKind && !t.Reference
}

// MaxStatusBytes bounds the JSON size of a stream's status, well under the API server's
// 1.5 MiB object limit so that spec, metadata and managed fields keep room.
const MaxStatusBytes = 512 << 10

// TrimHistory bounds the history of every tag to maxItems (<= 0: no count limit) and then
// the whole status to maxBytes of JSON, removing the oldest items of the longest histories
// first; a tag's current item is never removed. It returns the tags it trimmed, sorted.
func TrimHistory(status *imagev1.ImageStreamStatus, maxItems, maxBytes int) []string {
	trimmed := map[string]bool{}
	for i := range status.Tags {
		if maxItems > 0 && len(status.Tags[i].Items) > maxItems {
			status.Tags[i].Items = status.Tags[i].Items[:maxItems]
			trimmed[status.Tags[i].Tag] = true
		}
	}
	for size := jsonSize(status); maxBytes > 0 && size > maxBytes; {
		longest := -1
		for i := range status.Tags {
			if len(status.Tags[i].Items) > 1 && (longest < 0 || len(status.Tags[i].Items) > len(status.Tags[longest].Items)) {
				longest = i
			}
		}
		if longest < 0 {
			break
		}
		t := &status.Tags[longest]
		size -= jsonSize(t.Items[len(t.Items)-1]) + 1
		t.Items = t.Items[:len(t.Items)-1]
		trimmed[t.Tag] = true
	}
	tags := make([]string, 0, len(trimmed))
	for t := range trimmed {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	return tags
}

// jsonSize is the size of v encoded as JSON.
func jsonSize(v any) int {
	data, _ := json.Marshal(v)
	return len(data)
}

// ReferencedImages returns the image digests that status holds in any tag's history.
func ReferencedImages(status *imagev1.ImageStreamStatus) map[string]bool {
	images := map[string]bool{}
	for _, t := range status.Tags {
		for _, e := range t.Items {
			if e.Image != "" {
				images[e.Image] = true
			}
		}
	}
	return images
}

// PullSpec resolves an event to the pull spec consumers get under the tag's reference
// policy: with Local and a local repository (`<registry hostname>/<ns>/<stream>`), the
// image by digest through it; otherwise the event's own pull spec.
func PullSpec(event imagev1.TagEvent, policy imagev1.TagReferencePolicyType, localRepository string) string {
	if policy == imagev1.LocalTagReferencePolicy && localRepository != "" && event.Image != "" {
		return localRepository + "@" + event.Image
	}
	return event.DockerImageReference
}

// TagPullSpec returns the pull spec of the current image of tag in is, under the tag's
// reference policy, or false when the tag has no image yet.
func TagPullSpec(is *imagev1.ImageStream, tag string) (string, bool) {
	event := LatestEvent(&is.Status, tag)
	if event == nil {
		return "", false
	}
	var policy imagev1.TagReferencePolicyType
	for _, t := range is.Spec.Tags {
		if t.Name == tag {
			policy = t.ReferencePolicy.Type
		}
	}
	return PullSpec(*event, policy, is.Status.DockerImageRepository), true
}
