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

package v1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ImageStreamSpec represents options for ImageStreams.
type ImageStreamSpec struct {
	// lookupPolicy controls how other resources in this namespace reference images of this
	// stream by short name.
	// +optional
	LookupPolicy ImageLookupPolicy `json:"lookupPolicy,omitzero"`
	// dockerImageRepository, if set, imports every tag of this repository (at most
	// --max-images-bulk-imported-per-repository of them). Deprecated since OpenShift 3.7:
	// prefer one spec tag per image.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	DockerImageRepository string `json:"dockerImageRepository,omitempty"`
	// tags map tag names to image locators.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=1000
	// +optional
	Tags []TagReference `json:"tags,omitempty"`
}

// ImageLookupPolicy describes how an image stream can be used to override the image
// references used by pods and workloads in a namespace.
type ImageLookupPolicy struct {
	// local, when true, rewrites short image references (like "mysql" or "php:latest") in
	// pods and workload templates of this namespace that match this stream to the image the
	// tag currently points to. The tag's referencePolicy applies to the replacement.
	// +optional
	Local bool `json:"local"`
}

// ImageStreamStatus contains information about the state of this image stream.
type ImageStreamStatus struct {
	// dockerImageRepository is the effective location this stream may be pulled from: the
	// integrated registry's `<host>/<namespace>/<name>` when one is configured, otherwise
	// spec.dockerImageRepository. May be empty.
	// +optional
	DockerImageRepository string `json:"dockerImageRepository,omitempty"`
	// publicDockerImageRepository is the location from which the image can be pulled from
	// outside the cluster, when a public registry hostname is configured.
	// +optional
	PublicDockerImageRepository string `json:"publicDockerImageRepository,omitempty"`
	// tags are the history of images of each tag. The first item of a tag is its current image.
	// +listType=map
	// +listMapKey=tag
	// +kubebuilder:validation:MaxItems=2000
	// +optional
	Tags []NamedTagEventList `json:"tags,omitempty"`
	// observedGeneration is the metadata.generation whose spec has been fully handled.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// importRequestObserved is the value of the annotation
	// image.imagestreams.io/import-requested-at that the operator last handled.
	// +optional
	ImportRequestObserved string `json:"importRequestObserved,omitempty"`
	// conditions summarise the stream's state. `Ready` is True when every spec tag resolved.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// NamedTagEventList relates a tag to its image history.
type NamedTagEventList struct {
	// tag is the tag whose history is recorded.
	// +required
	Tag string `json:"tag"`
	// items are the images of this tag, newest first. items[0] is the current image.
	// +optional
	Items []TagEvent `json:"items"`
	// conditions apply to this tag, e.g. ImportSuccess=False after a failed import.
	// +optional
	Conditions []TagEventCondition `json:"conditions,omitempty"`
	// copiedFrom is the spec reference (an ImageStreamTag of another stream, or an
	// ImageStreamImage) that the current item was copied from. A copy is made once per change
	// of that reference; later moves of the source do not follow. An addition to
	// image.openshift.io/v1.
	// +optional
	CopiedFrom *ObjectReference `json:"copiedFrom,omitempty"`
}

// TagEvent is one entry of a tag's history.
type TagEvent struct {
	// created is when this tag first pointed to this image.
	// +required
	Created metav1.Time `json:"created"`
	// dockerImageReference is the pull spec of this image, digest-qualified after an import.
	// +required
	DockerImageReference string `json:"dockerImageReference"`
	// image is the name of the image's digest (`sha256:<hex>`); empty for reference tags
	// that were not imported.
	// +optional
	Image string `json:"image"`
	// generation is the stream metadata.generation that produced this event.
	// +optional
	Generation int64 `json:"generation"`
	// platforms lists the platforms of the image as "os/architecture" strings.
	// +optional
	Platforms []string `json:"platforms,omitempty"`
}

// TagEventConditionType is the type of a tag condition.
type TagEventConditionType string

// ImportSuccess with status False means the import of the tag failed.
const ImportSuccess TagEventConditionType = "ImportSuccess"

// TagEventCondition contains condition information for a tag.
type TagEventCondition struct {
	// type of the condition, currently only ImportSuccess.
	// +required
	Type TagEventConditionType `json:"type"`
	// status of the condition: True, False or Unknown.
	// +required
	Status corev1.ConditionStatus `json:"status"`
	// lastTransitionTime is when the condition last changed status.
	// +optional
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitzero"`
	// reason is a brief machine-readable explanation, e.g. NotFound or Unauthorized.
	// +optional
	Reason string `json:"reason,omitempty"`
	// message is a human-readable description of the failure.
	// +optional
	Message string `json:"message,omitempty"`
	// generation is the stream metadata.generation this condition corresponds to.
	// +optional
	Generation int64 `json:"generation"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=is,categories=all;imagestreams
// +kubebuilder:printcolumn:name="Image Repository",type=string,JSONPath=`.status.dockerImageRepository`
// +kubebuilder:printcolumn:name="Tags",type=string,JSONPath=`.status.tags[*].tag`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="!has(self.metadata.name) || self.metadata.name.matches('^[a-z0-9]+(?:[._-][a-z0-9]+)*$')",message="metadata.name must match \"[a-z0-9]+(?:[._-][a-z0-9]+)*\": lowercase letters and digits, separated by single '.', '_' or '-'"
// +kubebuilder:validation:XValidation:rule="!has(self.metadata.name) || size(self.metadata.name) <= 63",message="metadata.name must be no more than 63 characters"

// ImageStream stores a mapping of tags to images, metadata applied when images are tagged
// in a stream, and an optional reference to a container image repository. Users set
// spec.tags to external images, which the operator imports with the pull secrets of the
// stream's namespace, or to other image stream tags and images. The history of images of
// each tag is kept in status.tags; status.tags[].items[0] is a tag's current image.
type ImageStream struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec describes the desired state of this stream.
	// +optional
	Spec ImageStreamSpec `json:"spec"`

	// status describes the current state of this stream.
	// +optional
	Status ImageStreamStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// ImageStreamList contains a list of ImageStream.
type ImageStreamList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []ImageStream `json:"items"`
}
