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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ImageStreamImportSpec defines what images should be imported.
// +kubebuilder:validation:XValidation:rule="has(self.repository) || (has(self.images) && size(self.images) > 0)",message="you must specify at least one image or a repository import",fieldPath=".images"
type ImageStreamImportSpec struct {
	// import, when true, writes the results into the image stream named like this object,
	// creating it if needed. When false the import is a dry run: only status is filled.
	// +optional
	Import bool `json:"import"`
	// repository imports a whole repository, at most
	// --max-images-bulk-imported-per-repository tags of it.
	// +optional
	Repository *RepositoryImportSpec `json:"repository,omitempty"`
	// images are individual images to import.
	// +kubebuilder:validation:MaxItems=256
	// +optional
	Images []ImageImportSpec `json:"images,omitempty"`
}

// ImageStreamImportStatus contains information about the status of an image stream import.
type ImageStreamImportStatus struct {
	// import is the image stream that was updated or created when spec.import was true.
	// +optional
	Import *ImageStream `json:"import,omitempty"`
	// repository is the outcome of spec.repository.
	// +optional
	Repository *RepositoryImportStatus `json:"repository,omitempty"`
	// images are the outcome of spec.images, in the same order.
	// +optional
	Images []ImageImportStatus `json:"images,omitempty"`
}

// RepositoryImportSpec describes a request to import images from a repository.
// +kubebuilder:validation:XValidation:rule="self.from.kind == 'DockerImage'",message="only DockerImage is supported",fieldPath=".from.kind"
type RepositoryImportSpec struct {
	// from is the repository to import: kind DockerImage and a repository name without a
	// tag or ID.
	// +required
	From ObjectReference `json:"from"`
	// importPolicy controls how the images are imported.
	// +optional
	ImportPolicy TagImportPolicy `json:"importPolicy,omitzero"`
	// referencePolicy controls how consumers reference the images.
	// +optional
	ReferencePolicy TagReferencePolicy `json:"referencePolicy,omitzero"`
	// includeManifest returns the raw manifest of each image in status.
	// +optional
	IncludeManifest bool `json:"includeManifest,omitempty"`
}

// RepositoryImportStatus describes the result of a repository import.
type RepositoryImportStatus struct {
	// status reflects whether any failure occurred during the import.
	// +optional
	Status metav1.Status `json:"status,omitzero"`
	// images are the images retrieved by the import of the repository.
	// +optional
	Images []ImageImportStatus `json:"images,omitempty"`
	// additionalTags exist in the repository but were not imported because of the bulk limit.
	// +optional
	AdditionalTags []string `json:"additionalTags,omitempty"`
}

// ImageImportSpec describes a request to import one image.
// +kubebuilder:validation:XValidation:rule="self.from.kind == 'DockerImage'",message="only DockerImage is supported",fieldPath=".from.kind"
// +kubebuilder:validation:XValidation:rule="!has(self.to) || (has(self.to.name) && size(self.to.name) > 0)",message="the name of the target tag must be specified",fieldPath=".to.name"
type ImageImportSpec struct {
	// from is the image to import; only kind DockerImage is allowed.
	// +required
	From ObjectReference `json:"from"`
	// to is the tag of the stream the image is assigned to. When nil, the tag of from.name is
	// used; when from.name has no tag, the image is fetched but not tagged.
	// +optional
	To *LocalObjectReference `json:"to,omitempty"`
	// importPolicy controls how the image is imported.
	// +optional
	ImportPolicy TagImportPolicy `json:"importPolicy,omitzero"`
	// referencePolicy controls how consumers reference the image.
	// +optional
	ReferencePolicy TagReferencePolicy `json:"referencePolicy,omitzero"`
	// includeManifest returns the raw manifest of the image in status.
	// +optional
	IncludeManifest bool `json:"includeManifest,omitempty"`
}

// ImageImportStatus describes the result of one image import.
type ImageImportStatus struct {
	// status of the import: Success or Failure, with reason and message.
	// +optional
	Status metav1.Status `json:"status,omitzero"`
	// image is the metadata of the image, if it was found.
	// +optional
	Image *ImportedImage `json:"image,omitempty"`
	// tag is the tag the image was found under, if any.
	// +optional
	Tag string `json:"tag,omitempty"`
	// manifests are the sub-manifest images when a manifest list was imported with
	// importMode PreserveOriginal.
	// +optional
	Manifests []ImportedImage `json:"manifests,omitempty"`
}

// ImportedImage is an image found by an import, as reported in ImageStreamImport status:
// the Image the import created or would create.
type ImportedImage struct {
	// metadata of the Image; its name is `sha256-<hex>`.
	// +optional
	Metadata metav1.ObjectMeta `json:"metadata,omitzero"`

	ImageData `json:",inline"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=isimport,categories=imagestreams
// +kubebuilder:printcolumn:name="Import",type=boolean,JSONPath=`.spec.import`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="!has(self.metadata.name) || self.metadata.name.matches('^[a-z0-9]+(?:[._-][a-z0-9]+)*$')",message="metadata.name must match \"[a-z0-9]+(?:[._-][a-z0-9]+)*\": lowercase letters and digits, separated by single '.', '_' or '-'"
// +kubebuilder:validation:XValidation:rule="!has(self.metadata.name) || size(self.metadata.name) <= 63",message="metadata.name must be no more than 63 characters"

// ImageStreamImport asks the operator to find and import container images from a registry
// into the image stream of the same name, or, with spec.import false, only to report what
// would be imported. The operator processes it once, fills status, and deletes it after a
// retention period.
type ImageStreamImport struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata; its name is the target image stream.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec describes the images to import. It cannot change: a request runs once.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="an import request cannot be changed; create a new ImageStreamImport instead"
	// +required
	Spec ImageStreamImportSpec `json:"spec"`

	// status is the result of the import.
	// +optional
	Status ImageStreamImportStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// ImageStreamImportList contains a list of ImageStreamImport.
type ImageStreamImportList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []ImageStreamImport `json:"items"`
}
