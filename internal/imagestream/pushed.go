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
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// DefaultMaxPendingPushes bounds the tags of a stream waiting in imagev1.PushedTagsAnnotation.
// A push beyond it is refused with 503, and the registry sends it again later.
const DefaultMaxPendingPushes = 100

// PushedTags decodes imagev1.PushedTagsAnnotation; no annotation is an empty map.
func PushedTags(annotations map[string]string) (map[string]string, error) {
	tags := map[string]string{}
	value, ok := annotations[imagev1.PushedTagsAnnotation]
	if !ok || strings.TrimSpace(value) == "" {
		return tags, nil
	}
	if err := json.Unmarshal([]byte(value), &tags); err != nil {
		return map[string]string{}, fmt.Errorf("annotation %s is not a JSON object of tag to digest: %w", imagev1.PushedTagsAnnotation, err)
	}
	return tags, nil
}

// PendingPushes returns the pushed tags of the stream, with their notified digests, that
// its status does not show yet: the tag's current image is another one or there is none.
// A spec tag of the same name wins over a push, as it does over the tags of
// spec.dockerImageRepository, so such a tag is never pending. An invalid annotation has no
// pending tags.
func PendingPushes(is *imagev1.ImageStream) map[string]string {
	tags, err := PushedTags(is.Annotations)
	if err != nil {
		return map[string]string{}
	}
	for tag, digest := range tags {
		if !pending(is, tag, digest) {
			delete(tags, tag)
		}
	}
	return tags
}

// pending reports whether a push of tag with digest still has to be imported into is.
func pending(is *imagev1.ImageStream, tag, digest string) bool {
	if hasSpecTag(is, tag) {
		return false
	}
	current := LatestEvent(&is.Status, tag)
	return current == nil || current.Image != digest
}

// hasSpecTag reports whether the stream has a spec tag named tag.
func hasSpecTag(is *imagev1.ImageStream, tag string) bool {
	return slices.ContainsFunc(is.Spec.Tags, func(t imagev1.TagReference) bool { return t.Name == tag })
}

// RecordPush returns the value of imagev1.PushedTagsAnnotation with tag pushed as digest, without
// the entries the stream already shows. changed is false when the annotation would not
// change: the stream already shows the push (a notification sent again), or the entry is
// there already. It fails when more than maxPending (> 0) tags would be waiting.
func RecordPush(is *imagev1.ImageStream, tag, digest string, maxPending int) (value string, changed bool, err error) {
	tags := PendingPushes(is) // an edited, invalid annotation is replaced
	if pending(is, tag, digest) {
		tags[tag] = digest
	}
	if maxPending > 0 && len(tags) > maxPending {
		return "", false, fmt.Errorf("%d pushed tags of image stream %s/%s are waiting to be imported (at most %d)",
			len(tags)-1, is.Namespace, is.Name, maxPending)
	}
	current, exists := is.Annotations[imagev1.PushedTagsAnnotation]
	if len(tags) == 0 {
		return "", exists, nil
	}
	data, err := json.Marshal(tags) // keys sorted: the same tags give the same value
	if err != nil {
		return "", false, err
	}
	return string(data), !exists || current != string(data), nil
}

// IntegratedTags returns the tags of the stream whose current image was pushed to the
// integrated registry repository (`<registry hostname>/<namespace>/<stream>`) and that have
// no spec tag: the tags a requested re-import checks again along with the spec tags.
func IntegratedTags(is *imagev1.ImageStream, repository string) []string {
	var tags []string
	for _, t := range is.Status.Tags {
		if len(t.Items) == 0 || hasSpecTag(is, t.Tag) {
			continue
		}
		if strings.HasPrefix(t.Items[0].DockerImageReference, repository+"@") {
			tags = append(tags, t.Tag)
		}
	}
	return tags
}
