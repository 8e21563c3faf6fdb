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
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

const none = "<none>"

// newDescribeWriter returns the tab writer oc's describers use: labels are padded with tabs
// to a common column.
func newDescribeWriter(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 8, 1, '\t', 0)
}

// field prints "label:\tvalue", "<none>" for an empty value; a multi-line value continues
// in the value column.
func field(w io.Writer, label, value string) {
	if value == "" {
		value = none
	}
	fmt.Fprintf(w, "%s:", label)
	for _, line := range strings.Split(value, "\n") {
		fmt.Fprintf(w, "\t%s\n", line)
	}
}

// mapField prints a map as sorted key=value lines in the value column.
func mapField(w io.Writer, label string, m map[string]string) {
	if len(m) == 0 {
		field(w, label, "")
		return
	}
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i == 0 {
			field(w, label, k+"="+m[k])
			continue
		}
		fmt.Fprintf(w, "\t%s=%s\n", k, m[k])
	}
}

// listField prints one value per line in the value column.
func listField(w io.Writer, label string, values []string) {
	for i, v := range values {
		if i == 0 {
			field(w, label, v)
			continue
		}
		fmt.Fprintf(w, "\t%s\n", v)
	}
}

// describeMeta prints Name, Namespace, Created, Labels, Description and Annotations.
func describeMeta(w io.Writer, m metav1.ObjectMeta, now time.Time) {
	field(w, "Name", m.Name)
	if m.Namespace != "" {
		field(w, "Namespace", m.Namespace)
	}
	if !m.CreationTimestamp.IsZero() {
		field(w, "Created", ago(now, m.CreationTimestamp.Time))
	}
	mapField(w, "Labels", m.Labels)
	annotations := maps.Clone(m.Annotations)
	if d := annotations["description"]; d != "" {
		field(w, "Description", d)
	}
	delete(annotations, "description")
	mapField(w, "Annotations", annotations)
}

// DescribeImageStream writes `describe is` output: metadata, pull location, lookup policy
// and one block per tag (aliases folded into their target), in oc's format.
func DescribeImageStream(out io.Writer, is *imagev1.ImageStream, now time.Time) error {
	w := newDescribeWriter(out)
	describeMeta(w, is.ObjectMeta, now)
	repository := is.Status.PublicDockerImageRepository
	if repository == "" {
		repository = is.Status.DockerImageRepository
	}
	field(w, "Image Repository", repository)
	field(w, "Image Lookup", fmt.Sprintf("local=%t", is.Spec.LookupPolicy.Local))
	describeTags(w, is, now)
	return w.Flush()
}

// uniqueImages counts the distinct images in a stream's history (pull specs for items
// without an image).
func uniqueImages(status *imagev1.ImageStreamStatus) int {
	seen := map[string]bool{}
	for _, t := range status.Tags {
		for _, e := range t.Items {
			key := e.Image
			if key == "" {
				key = e.DockerImageReference
			}
			seen[key] = true
		}
	}
	return len(seen)
}

// streamTags returns the names of all tags of a stream, status tags and spec-only tags, in
// OpenShift's display order.
func streamTags(is *imagev1.ImageStream) []string {
	var tags []string
	for _, t := range is.Status.Tags {
		tags = append(tags, t.Tag)
	}
	for _, t := range is.Spec.Tags {
		if !slices.Contains(tags, t.Name) {
			tags = append(tags, t.Name)
		}
	}
	return imagestream.PrioritizeTags(tags)
}

// specTag returns the spec tag named tag, or nil.
func specTag(is *imagev1.ImageStream, tag string) *imagev1.TagReference {
	for i := range is.Spec.Tags {
		if is.Spec.Tags[i].Name == tag {
			return &is.Spec.Tags[i]
		}
	}
	return nil
}

// importPending reports whether the operator has yet to import spec tag t for the stream's
// current generation or a requested re-import.
func importPending(is *imagev1.ImageStream, t *imagev1.TagReference) bool {
	if t == nil || !imagestream.Importable(*t) {
		return false
	}
	if requested := is.Annotations[imagev1.ImportRequestedAtAnnotation]; requested != "" && requested != is.Status.ImportRequestObserved {
		return true
	}
	return imagestream.ObservedGeneration(&is.Status, t.Name) < is.Generation
}

func describeTags(w io.Writer, is *imagev1.ImageStream, now time.Time) {
	tags := streamTags(is)
	if len(tags) == 0 {
		fmt.Fprintf(w, "Tags:\t%s\n", none)
		return
	}
	fmt.Fprintf(w, "Unique Images:\t%d\nTags:\t%d\n\n", uniqueImages(&is.Status), len(tags))

	targets, _ := imagestream.ResolveTracking(is)
	aliases := map[string][]string{}
	for alias, target := range targets {
		aliases[target] = append(aliases[target], alias)
	}
	first := true
	for _, tag := range tags {
		if _, alias := targets[tag]; alias {
			continue
		}
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		if a := aliases[tag]; len(a) > 0 {
			fmt.Fprintf(w, "%s (%s)\n", tag, strings.Join(imagestream.PrioritizeTags(a), ", "))
		} else {
			fmt.Fprintln(w, tag)
		}
		describeTag(w, is, tag, now)
	}
}

// tagSource describes where a spec tag takes its image from.
func tagSource(is *imagev1.ImageStream, t *imagev1.TagReference) string {
	if t == nil {
		return "no spec tag"
	}
	if t.From == nil {
		return "tag without source image"
	}
	name := t.From.Name
	if t.From.Namespace != "" && t.From.Namespace != is.Namespace {
		name = t.From.Namespace + "/" + name
	}
	switch t.From.Kind {
	case imagev1.DockerImageKind:
		switch {
		case t.Reference:
			return "reference to registry " + name
		case t.ImportPolicy.Scheduled:
			return "updates automatically from registry " + name
		}
	case imagev1.ImageStreamImageKind:
		if t.Reference {
			return "reference to image " + name
		}
	default:
		if t.Reference {
			return "reference to " + name
		}
	}
	return "tagged from " + name
}

func describeTag(w io.Writer, is *imagev1.ImageStream, tag string, now time.Time) {
	t := specTag(is, tag)
	fmt.Fprintf(w, "  %s\n", tagSource(is, t))
	if t != nil && t.ImportPolicy.Insecure {
		fmt.Fprintln(w, "    will use insecure HTTPS or HTTP connections")
	}
	if t != nil && t.ReferencePolicy.Type == imagev1.LocalTagReferencePolicy {
		fmt.Fprintln(w, "    prefer registry pullthrough when referencing this tag")
	}
	fmt.Fprintln(w)

	if t != nil {
		extra := false
		if d := t.Annotations["description"]; d != "" {
			fmt.Fprintf(w, "  %s\n", d)
			extra = true
		}
		for _, a := range []struct{ key, label string }{{"tags", "Tags"}, {"supports", "Supports"}} {
			if v := t.Annotations[a.key]; v != "" {
				fmt.Fprintf(w, "  %s: %s\n", a.label, strings.Join(strings.Split(v, ","), ", "))
				extra = true
			}
		}
		if v := t.Annotations["sampleRepo"]; v != "" {
			fmt.Fprintf(w, "  Example Repo: %s\n", v)
			extra = true
		}
		if extra {
			fmt.Fprintln(w)
		}
	}
	if importPending(is, t) {
		fmt.Fprintln(w, "  ~ importing latest image ...")
	}
	history := imagestream.StatusTag(&is.Status, tag)
	if history == nil {
		return
	}
	for _, c := range history.Conditions {
		if c.Type == imagev1.ImportSuccess && c.Status == corev1.ConditionFalse {
			fmt.Fprintf(w, "  ! error: Import failed (%s): %s\n      %s\n", c.Reason, c.Message, ago(now, c.LastTransitionTime.Time))
		}
	}
	for i, e := range history.Items {
		marker := "   "
		if i == 0 {
			marker = "  *"
		}
		fmt.Fprintf(w, "%s %s\n", marker, e.DockerImageReference)
		if ref, err := reference.Parse(e.DockerImageReference); e.Image != "" && err == nil && ref.ID != e.Image {
			fmt.Fprintf(w, "      %s\t%s\n", ago(now, e.Created.Time), e.Image)
		} else {
			fmt.Fprintf(w, "      %s\n", ago(now, e.Created.Time))
		}
	}
}

// DescribeImage writes `describe istag|isimage` output for img, titled name, in oc's format:
// identity, size and layers, platform, sub-manifests and the runtime configuration.
func DescribeImage(out io.Writer, img *ImageView, name string, now time.Time) error {
	w := newDescribeWriter(out)
	if name != "" {
		field(w, "Image Name", name)
	}
	field(w, "Docker Image", img.DockerImageReference)
	field(w, "Name", img.Name)
	if !img.CreationTimestamp.IsZero() {
		field(w, "Created", ago(now, img.CreationTimestamp.Time))
	}
	if len(img.Labels) > 0 {
		mapField(w, "Labels", img.Labels)
	}
	if len(img.Annotations) > 0 {
		mapField(w, "Annotations", img.Annotations)
	}
	meta := img.DockerImageMetadata
	if meta == nil {
		meta = &imagev1.DockerImage{}
	}
	if n := len(img.DockerImageLayers); n > 0 {
		unit := "layers"
		if n == 1 {
			unit = "layer"
		}
		field(w, "Image Size", fmt.Sprintf("%s in %d %s", humanSize(meta.Size), n, unit))
		layers := make([]string, 0, n)
		for _, l := range img.DockerImageLayers {
			layers = append(layers, fmt.Sprintf("%s\t%s", humanSize(l.LayerSize), l.Name))
		}
		listField(w, "Layers", layers)
	}
	if len(img.Signatures) > 0 {
		names := make([]string, 0, len(img.Signatures))
		for _, s := range img.Signatures {
			names = append(names, s.Metadata.Name)
		}
		listField(w, "Image Signatures", names)
	}
	if meta.Created != nil && !meta.Created.IsZero() {
		field(w, "Image Created", ago(now, meta.Created.Time))
	}
	field(w, "Author", meta.Author)
	field(w, "Arch", meta.Architecture)
	if len(img.DockerImageManifests) > 0 {
		manifests := make([]string, 0, len(img.DockerImageManifests))
		for _, m := range img.DockerImageManifests {
			manifests = append(manifests, fmt.Sprintf("%s\t%s", platformOf(m), m.Digest))
		}
		listField(w, "Manifests", manifests)
	}
	describeConfig(w, meta.Config)
	return w.Flush()
}

// platformOf prints a sub-manifest's platform as os/arch[/variant].
func platformOf(m imagev1.ImageManifest) string {
	p := m.OS + "/" + m.Architecture
	if m.Variant != "" {
		p += "/" + m.Variant
	}
	return p
}

func describeConfig(w io.Writer, c *imagev1.DockerConfig) {
	if c == nil {
		return
	}
	if len(c.Entrypoint) > 0 {
		field(w, "Entrypoint", strings.Join(c.Entrypoint, " "))
	}
	if len(c.Cmd) > 0 || len(c.Entrypoint) == 0 {
		field(w, "Command", strings.Join(c.Cmd, " "))
	}
	field(w, "Working Dir", c.WorkingDir)
	field(w, "User", c.User)
	field(w, "Exposes Ports", strings.Join(slices.Sorted(maps.Keys(c.ExposedPorts)), ", "))
	mapField(w, "Docker Labels", c.Labels)
	listField(w, "Environment", c.Env)
	listField(w, "Volumes", slices.Sorted(maps.Keys(c.Volumes)))
}
