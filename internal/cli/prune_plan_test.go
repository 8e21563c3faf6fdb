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
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// prunedStream has a tag "latest" with six revisions, one an hour older than the next.
func prunedStream(name string, created time.Duration) imagev1.ImageStream {
	var items []imagev1.TagEvent
	for rev := range 6 {
		digest := fmt.Sprintf("sha256:%064d", rev)
		items = append(items, imagev1.TagEvent{
			Created: at(time.Duration(rev+2) * time.Hour), Image: digest, DockerImageReference: "quay.io/org/" + name + "@" + digest,
		})
	}
	return imagev1.ImageStream{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: name, CreationTimestamp: at(created)},
		Status: imagev1.ImageStreamStatus{
			DockerImageRepository: "registry.local/team/" + name,
			Tags:                  []imagev1.NamedTagEventList{{Tag: "latest", Items: items}},
		},
	}
}

func revisions(items []pruneItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%s:%s#%d", it.stream.Name, it.tag, it.revision))
	}
	return out
}

func TestPlanPrune(t *testing.T) {
	defaults := pruneOptions{keepTagRevisions: 3, keepYoungerThan: time.Hour}
	tests := []struct {
		name   string
		opts   pruneOptions
		images []string // workload images in namespace team
		want   []string
	}{
		{name: "keeps 3 revisions", opts: defaults, want: []string{"app:latest#3", "app:latest#4", "app:latest#5"}},
		{name: "keeps what is younger", opts: pruneOptions{keepTagRevisions: 0, keepYoungerThan: 4*time.Hour + time.Minute}, want: []string{"app:latest#3", "app:latest#4", "app:latest#5"}},
		{name: "keeps an image used by digest", opts: defaults, images: []string{"quay.io/org/app@" + fmt.Sprintf("sha256:%064d", 4)}, want: []string{"app:latest#3", "app:latest#5"}},
		{name: "keeps a pod's imageID", opts: defaults, images: []string{"docker-pullable://quay.io/org/app@" + fmt.Sprintf("sha256:%064d", 5)}, want: []string{"app:latest#3", "app:latest#4"}},
		{name: "keeps the current image of a used tag by short name", opts: pruneOptions{keepYoungerThan: time.Hour}, images: []string{"app"},
			want: []string{"app:latest#1", "app:latest#2", "app:latest#3", "app:latest#4", "app:latest#5"}},
		{name: "keeps the current image of a used tag by repository", opts: pruneOptions{keepYoungerThan: time.Hour}, images: []string{"registry.local/team/app:latest"},
			want: []string{"app:latest#1", "app:latest#2", "app:latest#3", "app:latest#4", "app:latest#5"}},
		{name: "removes everything when nothing protects it", opts: pruneOptions{keepYoungerThan: time.Hour},
			want: []string{"app:latest#0", "app:latest#1", "app:latest#2", "app:latest#3", "app:latest#4", "app:latest#5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			young := prunedStream("young", 30*time.Minute) // skipped: younger than keep-younger-than
			streams := []imagev1.ImageStream{prunedStream("app", 24*time.Hour), young}
			if tt.opts.keepYoungerThan > time.Hour {
				streams = streams[:1]
			}
			users := newImageUsers()
			for _, image := range tt.images {
				users.addImage("team", image, map[string]string{"registry.local/team/app": "team/app"})
			}
			got := revisions(planPrune(streams, users, tt.opts, describeNow))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("pruned %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPlanPruneTriggerKeepsCurrentImage(t *testing.T) {
	users := newImageUsers()
	users.addTriggers("team", map[string]string{imagev1.TriggersAnnotation: `[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"spec.template.spec.containers[0].image"}]`})
	got := revisions(planPrune([]imagev1.ImageStream{prunedStream("app", 24*time.Hour)}, users, pruneOptions{keepYoungerThan: time.Hour}, describeNow))
	if len(got) != 5 || got[0] != "app:latest#1" {
		t.Errorf("pruned %v; the current image of a triggered tag must stay", got)
	}
}

func TestPruneStatus(t *testing.T) {
	is := prunedStream("app", 24*time.Hour)
	is.Status.Tags = append(is.Status.Tags, imagev1.NamedTagEventList{Tag: "old", Items: is.Status.Tags[0].Items[5:]})
	items := planPrune([]imagev1.ImageStream{is}, newImageUsers(), pruneOptions{keepTagRevisions: 1, keepYoungerThan: time.Hour}, describeNow)
	pruneStatus(&is.Status, items)
	if len(is.Status.Tags) != 2 || len(is.Status.Tags[0].Items) != 1 || len(is.Status.Tags[1].Items) != 1 {
		t.Errorf("status after prune: %+v", is.Status.Tags)
	}
	pruneStatus(&is.Status, planPrune([]imagev1.ImageStream{is}, newImageUsers(), pruneOptions{keepYoungerThan: time.Hour}, describeNow))
	if len(is.Status.Tags) != 0 {
		t.Errorf("tags without items must go: %+v", is.Status.Tags)
	}
}
