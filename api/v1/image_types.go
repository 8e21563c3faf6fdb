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

// ImageManifest describes one sub-manifest of a manifest list. Digest names an Image.
type ImageManifest struct {
	// digest is the unique identifier of the manifest. It names an Image object.
	// +required
	Digest string `json:"digest"`
	// mediaType of the manifest, e.g. application/vnd.oci.image.manifest.v1+json or
	// application/vnd.docker.distribution.manifest.v2+json.
	// +required
	MediaType string `json:"mediaType"`
	// manifestSize is the size of the raw manifest in bytes.
	// +kubebuilder:validation:Minimum=0
	// +required
	ManifestSize int64 `json:"manifestSize"`
	// architecture is the CPU architecture, for example `amd64` or `ppc64le`.
	// +required
	Architecture string `json:"architecture"`
	// os is the operating system, for example `linux`.
	// +required
	OS string `json:"os"`
	// variant is the CPU variant, for example `v8` of arm64.
	// +optional
	Variant string `json:"variant,omitempty"`
}

// ImageLayer is one layer of an image.
type ImageLayer struct {
	// name of the layer: its digest.
	// +required
	Name string `json:"name"`
	// size of the layer in bytes.
	// +required
	LayerSize int64 `json:"size"`
	// mediaType of the layer.
	// +optional
	MediaType string `json:"mediaType"`
}

// DockerImage is the image metadata read from the image configuration, in the shape of
// OpenShift's `image.openshift.io/1.0` DockerImage.
type DockerImage struct {
	metav1.TypeMeta `json:",inline"`

	// Id is the image ID (the config digest).
	// +optional
	ID string `json:"Id,omitempty"`
	// Parent is the parent image ID, for legacy images.
	// +optional
	Parent string `json:"Parent,omitempty"`
	// Comment is the image comment.
	// +optional
	Comment string `json:"Comment,omitempty"`
	// Created is when the image was built.
	// +optional
	Created *metav1.Time `json:"Created,omitempty"`
	// Container is the ID of the container the image was committed from, for legacy images.
	// +optional
	Container string `json:"Container,omitempty"`
	// ContainerConfig is the configuration of the container the image was committed from.
	// +optional
	ContainerConfig *DockerConfig `json:"ContainerConfig,omitempty"`
	// DockerVersion is the version of Docker that built the image.
	// +optional
	DockerVersion string `json:"DockerVersion,omitempty"`
	// Author of the image.
	// +optional
	Author string `json:"Author,omitempty"`
	// Config is the runtime configuration of the image: command, entrypoint, environment,
	// ports, labels, user and working directory.
	// +optional
	Config *DockerConfig `json:"Config,omitempty"`
	// Architecture is the CPU architecture of the image.
	// +optional
	Architecture string `json:"Architecture,omitempty"`
	// Os is the operating system of the image (an addition to OpenShift's DockerImage).
	// +optional
	OS string `json:"Os,omitempty"`
	// Size is the total size of the image's layers and config in bytes.
	// +optional
	Size int64 `json:"Size,omitempty"`
}

// DockerConfig is the configuration a container is created with.
type DockerConfig struct {
	// Hostname of the container.
	// +optional
	Hostname string `json:"Hostname,omitempty"`
	// Domainname of the container.
	// +optional
	Domainname string `json:"Domainname,omitempty"`
	// User the process runs as.
	// +optional
	User string `json:"User,omitempty"`
	// Memory limit in bytes (legacy).
	// +optional
	Memory int64 `json:"Memory,omitempty"`
	// MemorySwap limit in bytes (legacy).
	// +optional
	MemorySwap int64 `json:"MemorySwap,omitempty"`
	// CpuShares (legacy).
	// +optional
	CPUShares int64 `json:"CpuShares,omitempty"`
	// Cpuset (legacy).
	// +optional
	CPUSet string `json:"Cpuset,omitempty"`
	// AttachStdin (legacy).
	// +optional
	AttachStdin bool `json:"AttachStdin,omitempty"`
	// AttachStdout (legacy).
	// +optional
	AttachStdout bool `json:"AttachStdout,omitempty"`
	// AttachStderr (legacy).
	// +optional
	AttachStderr bool `json:"AttachStderr,omitempty"`
	// PortSpecs (legacy).
	// +optional
	PortSpecs []string `json:"PortSpecs,omitempty"`
	// ExposedPorts are the ports the image exposes, as "port/protocol" keys.
	// +optional
	ExposedPorts map[string]Empty `json:"ExposedPorts,omitempty"`
	// Tty (legacy).
	// +optional
	Tty bool `json:"Tty,omitempty"`
	// OpenStdin (legacy).
	// +optional
	OpenStdin bool `json:"OpenStdin,omitempty"`
	// StdinOnce (legacy).
	// +optional
	StdinOnce bool `json:"StdinOnce,omitempty"`
	// Env is the environment, as "NAME=value" strings.
	// +optional
	Env []string `json:"Env,omitempty"`
	// Cmd is the default command.
	// +optional
	Cmd []string `json:"Cmd,omitempty"`
	// Dns servers (legacy).
	// +optional
	DNS []string `json:"Dns,omitempty"`
	// Image the container was created from (legacy).
	// +optional
	Image string `json:"Image,omitempty"`
	// Volumes are the image's volume mount points, as keys.
	// +optional
	Volumes map[string]Empty `json:"Volumes,omitempty"`
	// VolumesFrom (legacy).
	// +optional
	VolumesFrom string `json:"VolumesFrom,omitempty"`
	// WorkingDir is the working directory of the process.
	// +optional
	WorkingDir string `json:"WorkingDir,omitempty"`
	// Entrypoint is the entry point of the process.
	// +optional
	Entrypoint []string `json:"Entrypoint,omitempty"`
	// NetworkDisabled (legacy).
	// +optional
	NetworkDisabled bool `json:"NetworkDisabled,omitempty"`
	// SecurityOpts (legacy).
	// +optional
	SecurityOpts []string `json:"SecurityOpts,omitempty"`
	// OnBuild are the image's ONBUILD instructions.
	// +optional
	OnBuild []string `json:"OnBuild,omitempty"`
	// Labels of the image.
	// +optional
	Labels map[string]string `json:"Labels,omitempty"`
}

// Empty is the value type of set-like maps (ExposedPorts, Volumes).
type Empty struct{}

// SignatureConditionType is the type of an image signature condition.
type SignatureConditionType string

// SignatureCondition describes an image signature condition.
type SignatureCondition struct {
	// type of the condition, e.g. Trusted or ForImage.
	// +required
	Type SignatureConditionType `json:"type"`
	// status of the condition: True, False or Unknown.
	// +required
	Status corev1.ConditionStatus `json:"status"`
	// lastProbeTime is when the condition was last checked.
	// +optional
	LastProbeTime metav1.Time `json:"lastProbeTime,omitzero"`
	// lastTransitionTime is when the condition last changed status.
	// +optional
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitzero"`
	// reason is a brief reason for the last transition.
	// +optional
	Reason string `json:"reason,omitempty"`
	// message is a human-readable description of the last transition.
	// +optional
	Message string `json:"message,omitempty"`
}

// SignatureGenericEntity holds information about an issuer or subject of a signing
// certificate or key.
type SignatureGenericEntity struct {
	// organization name.
	// +optional
	Organization string `json:"organization,omitempty"`
	// commonName, e.g. openshift-signing-service.
	// +optional
	CommonName string `json:"commonName,omitempty"`
}

// SignatureIssuer holds information about the issuer of a signing certificate or key.
type SignatureIssuer struct {
	SignatureGenericEntity `json:",inline"`
}

// SignatureSubject holds information about the person or entity that created a signature.
type SignatureSubject struct {
	SignatureGenericEntity `json:",inline"`
	// publicKeyID is a human-readable ID of the subject's public key.
	// +optional
	PublicKeyID string `json:"publicKeyID"`
}

// ImageSignature holds a signature of an image.
type ImageSignature struct {
	// metadata of the signature; its name is `<imageName>@<signatureName>`.
	// +optional
	Metadata metav1.ObjectMeta `json:"metadata,omitzero"`

	// type of the stored blob, e.g. atomic.
	// +required
	Type string `json:"type"`
	// content is the opaque signature.
	// +required
	Content []byte `json:"content"`
	// conditions describe the signature's state.
	// +optional
	Conditions []SignatureCondition `json:"conditions,omitempty"`
	// imageIdentity is a human-readable identity of the image, e.g. a pull spec.
	// +optional
	ImageIdentity string `json:"imageIdentity,omitempty"`
	// signedClaims are the claims of the signature.
	// +optional
	SignedClaims map[string]string `json:"signedClaims,omitempty"`
	// created is when the signature was created.
	// +optional
	Created *metav1.Time `json:"created,omitempty"`
	// issuedBy is the issuer of the signing certificate or key.
	// +optional
	IssuedBy *SignatureIssuer `json:"issuedBy,omitempty"`
	// issuedTo is the subject that signed the image.
	// +optional
	IssuedTo *SignatureSubject `json:"issuedTo,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=imagestreams
// +kubebuilder:printcolumn:name="Reference",type=string,JSONPath=`.dockerImageReference`
// +kubebuilder:printcolumn:name="Media Type",type=string,JSONPath=`.dockerImageManifestMediaType`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="self.dockerImageReference == oldSelf.dockerImageReference && has(self.dockerImageMetadata) == has(oldSelf.dockerImageMetadata) && (!has(self.dockerImageMetadata) || self.dockerImageMetadata == oldSelf.dockerImageMetadata) && has(self.dockerImageMetadataVersion) == has(oldSelf.dockerImageMetadataVersion) && (!has(self.dockerImageMetadataVersion) || self.dockerImageMetadataVersion == oldSelf.dockerImageMetadataVersion) && has(self.dockerImageManifest) == has(oldSelf.dockerImageManifest) && (!has(self.dockerImageManifest) || self.dockerImageManifest == oldSelf.dockerImageManifest) && has(self.dockerImageLayers) == has(oldSelf.dockerImageLayers) && (!has(self.dockerImageLayers) || self.dockerImageLayers == oldSelf.dockerImageLayers) && has(self.signatures) == has(oldSelf.signatures) && (!has(self.signatures) || self.signatures == oldSelf.signatures) && has(self.dockerImageSignatures) == has(oldSelf.dockerImageSignatures) && (!has(self.dockerImageSignatures) || self.dockerImageSignatures == oldSelf.dockerImageSignatures) && has(self.dockerImageManifestMediaType) == has(oldSelf.dockerImageManifestMediaType) && (!has(self.dockerImageManifestMediaType) || self.dockerImageManifestMediaType == oldSelf.dockerImageManifestMediaType) && has(self.dockerImageConfig) == has(oldSelf.dockerImageConfig) && (!has(self.dockerImageConfig) || self.dockerImageConfig == oldSelf.dockerImageConfig) && has(self.dockerImageManifests) == has(oldSelf.dockerImageManifests) && (!has(self.dockerImageManifests) || self.dockerImageManifests == oldSelf.dockerImageManifests)",message="Image objects are immutable: import or tag a new image instead of editing this one"

// Image is the immutable metadata of one image manifest, named `sha256-<hex>` after its
// digest. Unlike OpenShift's cluster-scoped Image it is namespaced: it lives in the namespace
// of every stream that references it, and is owned by those streams, so namespace RBAC
// governs who may read it and garbage collection removes it with the last stream.
type Image struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is the standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	ImageData `json:",inline"`
}

// ImageData is the content of an Image: everything but its object metadata. It is shared by
// Image and by the images an ImageStreamImport reports in its status.
// +kubebuilder:validation:XValidation:rule="!has(self.dockerImageManifests) || size(self.dockerImageManifests) == 0 || !has(self.dockerImageLayers) || size(self.dockerImageLayers) == 0",message="dockerImageLayers should not be set when dockerImageManifests is set"
type ImageData struct {
	// dockerImageReference is the pull spec of this image.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	// +required
	DockerImageReference string `json:"dockerImageReference"`
	// dockerImageMetadata is the image's configuration metadata.
	// +optional
	DockerImageMetadata *DockerImage `json:"dockerImageMetadata,omitempty"`
	// dockerImageMetadataVersion is the version of dockerImageMetadata; "1.0" when empty.
	// +optional
	DockerImageMetadataVersion string `json:"dockerImageMetadataVersion,omitempty"`
	// dockerImageManifest is the raw JSON of the manifest. Not stored by import.
	// +optional
	DockerImageManifest string `json:"dockerImageManifest,omitempty"`
	// dockerImageLayers are the layers of the image, base first. Not set for manifest lists.
	// +optional
	DockerImageLayers []ImageLayer `json:"dockerImageLayers,omitempty"`
	// signatures of the image.
	// +optional
	Signatures []ImageSignature `json:"signatures,omitempty"`
	// dockerImageSignatures are schema 1 signatures as opaque blobs.
	// +optional
	DockerImageSignatures [][]byte `json:"dockerImageSignatures,omitempty"`
	// dockerImageManifestMediaType is the media type of the manifest.
	// +optional
	DockerImageManifestMediaType string `json:"dockerImageManifestMediaType,omitempty"`
	// dockerImageConfig is the raw JSON of the image config. Not stored by import; not set
	// for manifest lists.
	// +optional
	DockerImageConfig string `json:"dockerImageConfig,omitempty"`
	// dockerImageManifests are the sub-manifests when this image is a manifest list.
	// +optional
	DockerImageManifests []ImageManifest `json:"dockerImageManifests,omitempty"`
}

// +kubebuilder:object:root=true

// ImageList contains a list of Image.
type ImageList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []Image `json:"items"`
}
