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

package controller

import (
	"maps"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
)

// importPushedTags records in status the tags pushed to the integrated registry that the
// stream does not show yet (the annotation the notification receiver writes, see
// imagev1.PushedTagsAnnotation), and on a requested re-import every tag that came
// from it: each is imported from <registry hostname>/<namespace>/<stream>:<tag>, so what
// status shows comes from the registry, not from the notification. Like OpenShift's
// ImageStreamMapping, a push writes status only: the tag has no spec tag, its pull spec is
// the integrated registry's (what referencePolicy Local resolves to), and a manifest list
// is kept whole (PreserveOriginal), as pushed. It returns when to retry a transient failure.
func (r *ImageStreamReconciler) importPushedTags(run *importRun, is *imagev1.ImageStream, status *imagev1.ImageStreamStatus, forced bool, now metav1.Time) time.Duration {
	if r.Options.RegistryHostname == "" {
		return 0
	}
	repository := r.Options.RegistryHostname + "/" + is.Namespace + "/" + is.Name
	tags := imagestream.PendingPushes(is)
	if forced {
		for _, t := range imagestream.IntegratedTags(is, repository) {
			tags[t] = ""
		}
	}
	var retryAfter time.Duration
	for _, tag := range slices.Sorted(maps.Keys(tags)) {
		result, err := run.importImage(importSpec{
			from:   repository + ":" + tag,
			policy: imagev1.TagImportPolicy{ImportMode: imagev1.ImportModePreserveOriginal},
		})
		if err != nil {
			reason, message, after := failureOf(err, r.Options.RetryInterval)
			imagestream.SetImportFailure(status, tag, reason, message, is.Generation, now)
			retryAfter = shortest(retryAfter, after)
			continue
		}
		imagestream.AddTagEvent(status, tag, imagev1.TagEvent{
			Created: now, DockerImageReference: result.Reference, Image: result.Digest, Generation: is.Generation,
		})
	}
	return retryAfter
}
