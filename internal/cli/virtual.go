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
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
)

// The API server serves ImageStream and Image only. OpenShift's virtual kinds
// ImageStreamTag and ImageStreamImage are built here, client-side, in OpenShift's shape, so
// that `get istag ... -o jsonpath=...` and `-o yaml` read as they do with oc.

// Kinds of the virtual objects.
const (
	imageStreamTagKind   = "ImageStreamTag"
	imageStreamImageKind = "ImageStreamImage"
	imageKind            = "Image"
)

// ImageView is an Image in OpenShift's shape: named by its digest (`sha256:<hex>`), its
// dockerImageReference resolved through the tag's reference policy.
type ImageView struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	imagev1.ImageData `json:",inline"`
}

// ImageStreamTag is OpenShift's ImageStreamTag: a tag's spec, its current image and state.
type ImageStreamTag struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Tag is the spec tag; nil when the tag exists only in status.
	Tag *imagev1.TagReference `json:"tag"`
	// Generation is the generation of the tag's current history item.
	Generation int64 `json:"generation"`
	// LookupPolicy is the stream's.
	LookupPolicy imagev1.ImageLookupPolicy `json:"lookupPolicy"`
	// Conditions are the tag's import conditions.
	Conditions []imagev1.TagEventCondition `json:"conditions,omitempty"`
	// Image is the tag's current image.
	Image ImageView `json:"image"`
}

// ImageStreamImage is OpenShift's ImageStreamImage: an image of a stream, named
// `<stream>@<digest>`.
type ImageStreamImage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Image is the image.
	Image ImageView `json:"image"`
}

// imageView turns the Image of event (nil when the operator has not stored it yet) into
// OpenShift's shape, with the pull spec consumers of the tag get.
func imageView(img *imagev1.Image, event imagev1.TagEvent, pullSpec string) ImageView {
	v := ImageView{TypeMeta: metav1.TypeMeta{APIVersion: imagev1.GroupVersion.String(), Kind: imageKind}}
	if img != nil {
		v.ImageData = *img.ImageData.DeepCopy()
		v.CreationTimestamp = img.CreationTimestamp
		v.Labels = maps.Clone(img.Labels)
		v.Annotations = maps.Clone(img.Annotations)
		v.UID = img.UID
		v.ResourceVersion = img.ResourceVersion
	}
	v.Name = event.Image
	v.DockerImageReference = pullSpec
	// Like OpenShift, the raw manifest and config are not part of the answer.
	v.DockerImageManifest, v.DockerImageConfig = "", ""
	return v
}

// newImageStreamTag builds the ImageStreamTag of tag from the stream and the Image of its
// current item (nil when missing). It returns false when the tag has no image (OpenShift
// answers NotFound then).
func newImageStreamTag(is *imagev1.ImageStream, tag string, img *imagev1.Image) (*ImageStreamTag, bool) {
	event := imagestream.LatestEvent(&is.Status, tag)
	if event == nil || event.Image == "" {
		return nil, false
	}
	pullSpec, _ := imagestream.TagPullSpec(is, tag)
	ist := &ImageStreamTag{
		TypeMeta: metav1.TypeMeta{APIVersion: imagev1.GroupVersion.String(), Kind: imageStreamTagKind},
		ObjectMeta: metav1.ObjectMeta{
			Name: is.Name + ":" + tag, Namespace: is.Namespace,
			CreationTimestamp: event.Created, UID: is.UID, ResourceVersion: is.ResourceVersion,
		},
		Generation:   event.Generation,
		LookupPolicy: is.Spec.LookupPolicy,
		Image:        imageView(img, *event, pullSpec),
	}
	if t := specTag(is, tag); t != nil {
		ist.Tag = t.DeepCopy()
		if len(t.Annotations) > 0 {
			ist.Annotations = maps.Clone(t.Annotations)
			if ist.Image.Annotations == nil {
				ist.Image.Annotations = map[string]string{}
			}
			maps.Copy(ist.Image.Annotations, t.Annotations)
		}
	}
	if h := imagestream.StatusTag(&is.Status, tag); h != nil {
		ist.Conditions = h.Conditions
	}
	return ist, true
}

// newImageStreamImage builds the ImageStreamImage of event's image in the stream.
func newImageStreamImage(is *imagev1.ImageStream, event imagev1.TagEvent, img *imagev1.Image) *ImageStreamImage {
	return &ImageStreamImage{
		TypeMeta: metav1.TypeMeta{APIVersion: imagev1.GroupVersion.String(), Kind: imageStreamImageKind},
		ObjectMeta: metav1.ObjectMeta{
			Name: is.Name + "@" + event.Image, Namespace: is.Namespace,
			CreationTimestamp: event.Created, UID: is.UID, ResourceVersion: is.ResourceVersion,
		},
		Image: imageView(img, event, event.DockerImageReference),
	}
}
