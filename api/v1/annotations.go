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

// Annotations and labels read or written by the operator.
const (
	// ImportRequestedAtAnnotation on an ImageStream asks for a re-import of all its DockerImage
	// tags. Any new value (conventionally an RFC 3339 time) triggers one import; the handled
	// value is recorded in status.importRequestObserved.
	ImportRequestedAtAnnotation = "image.imagestreams.io/import-requested-at"
	// PushedTagsAnnotation on an ImageStream holds the tags pushed to the integrated registry
	// that the stream may not show yet: a JSON object of tag to the digest the registry's
	// notification named, e.g. {"latest":"sha256:..."}. The notification receiver writes it;
	// the ImageStream reconciler imports each tag whose status does not show that digest from
	// <registry hostname>/<namespace>/<stream>:<tag>, so what the stream records comes from
	// the registry, not from the notification.
	PushedTagsAnnotation = "image.imagestreams.io/pushed-tags"
	// PreferArchAnnotation on a spec tag chooses the architecture imported from a manifest
	// list in Legacy mode.
	PreferArchAnnotation = "image.imagestreams.io/prefer-arch"
	// PreferOSAnnotation on a spec tag chooses the operating system imported from a manifest
	// list in Legacy mode.
	PreferOSAnnotation = "image.imagestreams.io/prefer-os"
	// OpenShiftPreferArchAnnotation is OpenShift's spelling of PreferArchAnnotation, also honoured.
	OpenShiftPreferArchAnnotation = "importer.image.openshift.io/prefer-arch"
	// OpenShiftPreferOSAnnotation is OpenShift's spelling of PreferOSAnnotation, also honoured.
	OpenShiftPreferOSAnnotation = "importer.image.openshift.io/prefer-os"
	// InsecureRepositoryAnnotation set to "true" on an ImageStream makes all its imports insecure.
	InsecureRepositoryAnnotation = "image.imagestreams.io/insecure-repository"
	// OpenShiftInsecureRepositoryAnnotation is OpenShift's spelling of InsecureRepositoryAnnotation.
	OpenShiftInsecureRepositoryAnnotation = "openshift.io/image.insecureRepository"
	// TriggersAnnotation on a Deployment, StatefulSet, DaemonSet or CronJob (or a resource
	// given to --trigger-resources) is a JSON list of image change triggers: each sets a
	// container's image to the current image of an image stream tag.
	TriggersAnnotation = "image.imagestreams.io/triggers"
	// OpenShiftTriggersAnnotation is OpenShift's spelling of TriggersAnnotation, also
	// honoured. An object may carry both only if their values are equal.
	OpenShiftTriggersAnnotation = "image.openshift.io/triggers"
)

// Condition types and reasons of ImageStream status.conditions.
const (
	// ReadyCondition is True when every spec tag resolved to an image (or is a reference),
	// False when an import failed, Unknown while imports are pending.
	ReadyCondition = "Ready"
	// ReasonTagsResolved: every spec tag has its current image.
	ReasonTagsResolved = "TagsResolved"
	// ReasonImportFailed: at least one tag failed to import; the tag's ImportSuccess
	// condition says why.
	ReasonImportFailed = "ImportFailed"
	// ReasonRepositoryImportFailed: the tags of spec.dockerImageRepository could not be listed.
	ReasonRepositoryImportFailed = "RepositoryImportFailed"
	// ReasonWaitingForSource: a tag copies from another stream's tag that has no image yet;
	// the copy happens as soon as it has one.
	ReasonWaitingForSource = "WaitingForSource"
)
