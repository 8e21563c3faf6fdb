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
	"slices"
	"strings"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// TrackedTag returns the tag of this stream that spec tag t follows, when t is a tracking
// tag: an ImageStreamTag `<tag>` or `<this stream>:<tag>` in the stream's own namespace.
func TrackedTag(is *imagev1.ImageStream, t imagev1.TagReference) (string, bool) {
	if t.From == nil || t.From.Kind != imagev1.ImageStreamTagKind {
		return "", false
	}
	if t.From.Namespace != "" && t.From.Namespace != is.Namespace {
		return "", false
	}
	stream, tag, err := reference.SplitTagReference(t.From.Name)
	if err != nil || (stream != "" && stream != is.Name) {
		return "", false
	}
	return tag, true
}

// ResolveTracking follows each tracking tag of the stream through chains (a -> b -> c) to
// the tag that holds its image. A tag that refers to itself or belongs to a cycle maps to
// an error naming the cycle. Tags that are not tracking tags are absent from both maps.
func ResolveTracking(is *imagev1.ImageStream) (targets map[string]string, errs map[string]error) {
	follows := map[string]string{}
	for _, t := range is.Spec.Tags {
		if target, ok := TrackedTag(is, t); ok {
			follows[t.Name] = target
		}
	}
	targets, errs = map[string]string{}, map[string]error{}
	for tag := range follows {
		path := []string{tag}
		current := tag
		for {
			next, tracking := follows[current]
			if !tracking {
				targets[tag] = current
				break
			}
			if next == tag && len(path) == 1 {
				errs[tag] = fmt.Errorf("tag %q on the image stream is a reference to same tag", tag)
				break
			}
			if i := slices.Index(path, next); i >= 0 {
				errs[tag] = fmt.Errorf("tags form a cycle: %s", strings.Join(append(slices.Clone(path[i:]), next), " -> "))
				break
			}
			path = append(path, next)
			current = next
		}
	}
	return targets, errs
}

// ResolveImageID finds the event of image id in any tag's history of a stream. id is a
// full digest or a unique prefix of one, with or without `sha256:`. It fails when no image
// or several images match.
func ResolveImageID(status *imagev1.ImageStreamStatus, id string) (imagev1.TagEvent, error) {
	var found []imagev1.TagEvent
	for _, t := range status.Tags {
		for _, e := range t.Items {
			if e.Image == "" || !imageMatches(e.Image, id) {
				continue
			}
			if !slices.ContainsFunc(found, func(f imagev1.TagEvent) bool { return f.Image == e.Image }) {
				found = append(found, e)
			}
		}
	}
	switch len(found) {
	case 0:
		return imagev1.TagEvent{}, fmt.Errorf("no image in the stream matches %q", id)
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, e := range found {
		names[i] = e.Image
	}
	return imagev1.TagEvent{}, fmt.Errorf("multiple images match the prefix %q: %s", id, strings.Join(names, ", "))
}

// imageMatches reports whether image (`sha256:<hex>`) is id or starts with it.
func imageMatches(image, id string) bool {
	if strings.HasPrefix(image, id) {
		return true
	}
	_, hex, ok := strings.Cut(image, ":")
	return ok && !strings.Contains(id, ":") && strings.HasPrefix(hex, id)
}
