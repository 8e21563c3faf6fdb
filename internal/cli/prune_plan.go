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
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/reference"
	"github.com/imagestreams/imagestream-operator/internal/trigger"
)

// The keep rules of `oc adm prune images` for the histories of image stream tags (OpenShift
// reference section 7), as pure functions.

// pruneOptions are the keep rules.
type pruneOptions struct {
	// keepTagRevisions keeps the newest revisions of every tag.
	keepTagRevisions int
	// keepYoungerThan keeps items (and whole streams) younger than this.
	keepYoungerThan time.Duration
}

// imageUsers are the images workloads use: by digest, and by image stream tag
// (`<namespace>/<stream>:<tag>`, from short names, pull specs of a stream's repository and
// image change triggers).
type imageUsers struct {
	digests map[string]bool
	tags    map[string]bool
}

func newImageUsers() imageUsers {
	return imageUsers{digests: map[string]bool{}, tags: map[string]bool{}}
}

// addImage records a container image of a workload in namespace. repositories maps the
// pull repositories of streams (status.dockerImageRepository) to `<namespace>/<stream>`.
func (u imageUsers) addImage(namespace, image string, repositories map[string]string) {
	if _, after, found := strings.Cut(image, "://"); found {
		image = after // a pod's imageID, e.g. docker-pullable://registry/app@sha256:...
	}
	ref, err := reference.Parse(image)
	if err != nil {
		return
	}
	if ref.ID != "" {
		u.digests[ref.ID] = true
	}
	tag := ref.Tag
	if tag == "" {
		tag = "latest"
	}
	if ref.Registry == "" && ref.Namespace == "" && ref.ID == "" {
		u.tags[namespace+"/"+ref.Name+":"+tag] = true
	}
	if stream, ok := repositories[ref.AsRepository().Exact()]; ok && ref.ID == "" {
		u.tags[stream+":"+tag] = true
	}
}

// addTriggers records the image stream tags an object's image change triggers follow.
func (u imageUsers) addTriggers(namespace string, annotations map[string]string) {
	triggers, err := trigger.Parse(annotations)
	if err != nil {
		return
	}
	for _, t := range triggers {
		if t.From.Kind != imagev1.ImageStreamTagKind {
			continue
		}
		ns := t.From.Namespace
		if ns == "" {
			ns = namespace
		}
		u.tags[ns+"/"+t.From.Name] = true
	}
}

// pruneItem is one history item to remove.
type pruneItem struct {
	stream   types.NamespacedName
	tag      string
	revision int
	event    imagev1.TagEvent
}

// planPrune returns the history items of the streams that no keep rule protects, in stream,
// tag and revision order.
func planPrune(streams []imagev1.ImageStream, users imageUsers, opts pruneOptions, now time.Time) []pruneItem {
	cutoff := now.Add(-opts.keepYoungerThan)
	var items []pruneItem
	for _, is := range streams {
		if is.CreationTimestamp.After(cutoff) {
			continue
		}
		key := types.NamespacedName{Namespace: is.Namespace, Name: is.Name}
		for _, t := range is.Status.Tags {
			for rev, e := range t.Items {
				switch {
				case e.Created.After(cutoff),
					rev < opts.keepTagRevisions,
					rev == 0 && users.tags[key.String()+":"+t.Tag],
					e.Image != "" && users.digests[e.Image]:
					continue
				}
				items = append(items, pruneItem{stream: key, tag: t.Tag, revision: rev, event: e})
			}
		}
	}
	slices.SortStableFunc(items, func(a, b pruneItem) int {
		if c := cmpString(a.stream.String(), b.stream.String()); c != 0 {
			return c
		}
		if c := cmpString(a.tag, b.tag); c != 0 {
			return c
		}
		return a.revision - b.revision
	})
	return items
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pruneStatus removes the planned items of one stream from its status; tags left without
// items (and conditions) are removed.
func pruneStatus(status *imagev1.ImageStreamStatus, items []pruneItem) {
	remove := map[string]map[string]bool{}
	for _, it := range items {
		if remove[it.tag] == nil {
			remove[it.tag] = map[string]bool{}
		}
		remove[it.tag][eventKey(it.event)] = true
	}
	tags := status.Tags[:0]
	for _, t := range status.Tags {
		if r := remove[t.Tag]; r != nil {
			t.Items = slices.DeleteFunc(t.Items, func(e imagev1.TagEvent) bool { return r[eventKey(e)] })
		}
		if len(t.Items) > 0 || len(t.Conditions) > 0 {
			tags = append(tags, t)
		}
	}
	status.Tags = tags
}

// eventKey identifies a history item.
func eventKey(e imagev1.TagEvent) string {
	return fmt.Sprintf("%s|%s|%s", e.Created.UTC().Format(time.RFC3339), e.DockerImageReference, e.Image)
}
