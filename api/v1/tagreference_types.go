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

// Kinds accepted in a tag's or an import's `from` reference.
const (
	// DockerImageKind names a pull spec on a remote registry (`registry/namespace/name[:tag|@digest]`).
	DockerImageKind = "DockerImage"
	// ImageStreamTagKind names a tag of an image stream: `<tag>` or `<stream>:<tag>`.
	ImageStreamTagKind = "ImageStreamTag"
	// ImageStreamImageKind names an image of an image stream by ID: `<id>` or `<stream>@<id>`.
	ImageStreamImageKind = "ImageStreamImage"
)

// ObjectReference points to the source of a tag: a pull spec, an image stream tag or an
// image stream image. It carries the fields of corev1.ObjectReference that image streams read.
type ObjectReference struct {
	// kind is the kind of the source: DockerImage, ImageStreamTag or ImageStreamImage.
	// +kubebuilder:validation:XValidation:rule="self in ['DockerImage', 'ImageStreamTag', 'ImageStreamImage']",message="valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'"
	// +kubebuilder:validation:MaxLength=32
	// +required
	Kind string `json:"kind"`
	// namespace is the namespace of an ImageStreamTag or ImageStreamImage source in another
	// namespace. Empty means the namespace of the referring object.
	// +kubebuilder:validation:MaxLength=63
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// name is the pull spec (DockerImage), `<tag>` or `<stream>:<tag>` (ImageStreamTag), or
	// `<id>` or `<stream>@<id>` (ImageStreamImage).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +required
	Name string `json:"name"`
}

// LocalObjectReference names an object in the same namespace.
type LocalObjectReference struct {
	// name of the referent.
	// +optional
	Name string `json:"name,omitempty"`
}

// TagReference specifies optional annotations for images using this tag and an optional
// reference to an ImageStreamTag, ImageStreamImage, or DockerImage this tag should track.
// +kubebuilder:validation:XValidation:rule="!has(self.importPolicy) || !has(self.importPolicy.scheduled) || !self.importPolicy.scheduled || (has(self.from) && self.from.kind == 'DockerImage')",message="only tags pointing to Docker repositories may be scheduled for background import",fieldPath=".importPolicy.scheduled"
type TagReference struct {
	// name of the tag. It starts with a letter, digit or underscore, continues with letters,
	// digits, '_', '.' or '-', and has at most 128 characters.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.matches('^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$')",messageExpression="'invalid tag \"' + self + '\" format, tags must start with an alphanumeric character followed by alphanumeric, \\'.\\' or \\'-\\' characters, and have a maximum of 128 characters'"
	// +required
	Name string `json:"name"`
	// annotations are applied to images retrieved through this tag. The importer reads
	// `image.imagestreams.io/prefer-arch` and `image.imagestreams.io/prefer-os` here (and
	// OpenShift's `importer.image.openshift.io/prefer-arch|prefer-os`).
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
	// from is the image this tag points to: a DockerImage pull spec, an ImageStreamTag
	// (`<tag>` in this stream is a tracking alias; `<stream>:<tag>` is copied), or an
	// ImageStreamImage (`<stream>@<id>`, copied).
	// +optional
	From *ObjectReference `json:"from,omitempty"`
	// reference, when true for a DockerImage, records the pull spec without importing it.
	// Default false: the image is imported.
	// +optional
	Reference bool `json:"reference,omitempty"`
	// generation is accepted for compatibility with image.openshift.io/v1 and never written
	// by the operator (the GitOps rule): import progress is recorded in status with
	// metadata.generation. To re-import a tag, set the stream annotation
	// `image.imagestreams.io/import-requested-at`.
	// +optional
	Generation *int64 `json:"generation,omitempty"`
	// importPolicy controls how the image is imported.
	// +optional
	ImportPolicy TagImportPolicy `json:"importPolicy,omitempty,omitzero"`
	// referencePolicy controls the pull spec that consumers (triggers, lookup) get.
	// +optional
	ReferencePolicy TagReferencePolicy `json:"referencePolicy,omitempty,omitzero"`
}

// ImportModeType describes how to import an image manifest.
// +kubebuilder:validation:XValidation:rule="self in ['Legacy', 'PreserveOriginal'] || size(self) == 0",message="valid ImportMode values are Legacy or PreserveOriginal"
// +kubebuilder:validation:MaxLength=32
type ImportModeType string

const (
	// ImportModeLegacy discards a manifest list and imports a single sub-manifest, chosen by:
	// 1. tag annotations; 2. control plane arch/os; 3. linux/amd64; 4. the first manifest in
	// the list. This mode is the default (an empty importMode).
	ImportModeLegacy ImportModeType = "Legacy"
	// ImportModePreserveOriginal imports the manifest list and all its sub-manifests.
	ImportModePreserveOriginal ImportModeType = "PreserveOriginal"
)

// TagImportPolicy controls how images related to this tag will be imported.
type TagImportPolicy struct {
	// insecure allows the import to skip TLS verification or use plain HTTP.
	// +optional
	Insecure bool `json:"insecure,omitempty"`
	// scheduled re-imports the tag periodically to pick up upstream changes. Only for
	// DockerImage tags.
	// +optional
	Scheduled bool `json:"scheduled,omitempty"`
	// importMode is Legacy (the default when empty) or PreserveOriginal.
	// +optional
	ImportMode ImportModeType `json:"importMode,omitempty"`
}

// TagReferencePolicyType describes how pull specs for images of a tag are generated.
// +kubebuilder:validation:XValidation:rule="self in ['Source', 'Local'] || size(self) == 0",message="valid referencePolicy.type values are Source or Local"
// +kubebuilder:validation:MaxLength=32
type TagReferencePolicyType string

const (
	// SourceTagReferencePolicy uses the image's original pull spec. The default (an empty type).
	SourceTagReferencePolicy TagReferencePolicyType = "Source"
	// LocalTagReferencePolicy uses `<registry hostname>/<namespace>/<stream>@<digest>` when
	// the operator has a registry hostname configured, else the original pull spec.
	LocalTagReferencePolicy TagReferencePolicyType = "Local"
)

// TagReferencePolicy describes how pull specs for images of a tag are generated when image
// change triggers and local name lookup resolve the tag.
type TagReferencePolicy struct {
	// type is Source (the default when empty) or Local.
	// +optional
	Type TagReferencePolicyType `json:"type,omitempty"`
}
