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
	"context"
	"fmt"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/reference"
	"github.com/imagestreams/imagestream-operator/internal/registry"
)

// ImageStreamImportOptions configure the ImageStreamImport reconciler.
type ImageStreamImportOptions struct {
	// TTL is how long a processed import request is kept before it is deleted.
	TTL time.Duration
	// MaxImagesBulkImportedPerRepository limits a spec.repository import; the other tags are
	// reported in status.repository.additionalTags. <= 0 means no limit.
	MaxImagesBulkImportedPerRepository int
}

// ImageStreamImportReconciler processes ImageStreamImport requests once: it imports the
// requested images, fills status, writes the stream when spec.import is true, and deletes
// the request after its TTL.
type ImageStreamImportReconciler struct {
	client.Client
	// APIReader reads pull secrets and Image contents straight from the API server.
	APIReader client.Reader
	Importer  *registry.Importer
	Clock     clock.PassiveClock
	Options   ImageStreamImportOptions
}

// +kubebuilder:rbac:groups=image.imagestreams.io,resources=imagestreamimports,verbs=get;list;watch;delete
// +kubebuilder:rbac:groups=image.imagestreams.io,resources=imagestreamimports/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=image.imagestreams.io,resources=imagestreams,verbs=create;patch

// Reconcile processes one import request.
func (r *ImageStreamImportReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	isi := &imagev1.ImageStreamImport{}
	if err := r.Get(ctx, req.NamespacedName, isi); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if processed(isi) {
		return r.expire(ctx, isi)
	}

	store := imageStore{client: r.Client, apiReader: r.APIReader}
	stream := &imagev1.ImageStream{}
	if err := r.Get(ctx, req.NamespacedName, stream); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, fmt.Errorf("reading image stream %s: %w", req.NamespacedName, err)
	}
	stream.Name, stream.Namespace = isi.Name, isi.Namespace
	run := &importRun{ctx: ctx, reader: store, importer: r.Importer, stream: stream}

	status := imagev1.ImageStreamImportStatus{}
	var tagged []taggedImport
	for _, spec := range isi.Spec.Images {
		tag := ""
		if spec.To != nil {
			tag = spec.To.Name
		} else if ref, err := reference.Parse(spec.From.Name); err == nil {
			tag = ref.Tag
		}
		result, err := run.importImage(importSpec{from: spec.From.Name, policy: spec.ImportPolicy})
		status.Images = append(status.Images, r.imageStatus(ctx, isi.Namespace, run, tag, result, err))
		if tag != "" {
			tagged = append(tagged, taggedImport{tag: tag, from: spec.From.Name, policy: spec.ImportPolicy, refPolicy: spec.ReferencePolicy, result: result, err: err})
		}
	}
	if spec := isi.Spec.Repository; spec != nil {
		repoStatus, repoTagged := r.importRepository(ctx, run, spec)
		status.Repository = repoStatus
		tagged = append(tagged, repoTagged...)
	}

	if isi.Spec.Import {
		updated, err := r.writeStream(ctx, store, stream, run, tagged)
		if err != nil {
			return ctrl.Result{}, err
		}
		status.Import = updated
	}
	isi.Status = status
	if err := r.Status().Update(ctx, isi); err != nil {
		return ctrl.Result{}, fmt.Errorf("recording the result of import %s: %w", klog.KObj(isi), err)
	}
	return ctrl.Result{RequeueAfter: r.Options.TTL}, nil
}

// taggedImport is the outcome of one image import destined for a tag of the stream.
type taggedImport struct {
	tag       string
	from      string
	policy    imagev1.TagImportPolicy
	refPolicy imagev1.TagReferencePolicy
	result    *registry.Result
	err       error
}

// processed reports whether the request has its results already: requests run once.
func processed(isi *imagev1.ImageStreamImport) bool {
	return len(isi.Status.Images) > 0 || isi.Status.Repository != nil
}

// expire deletes a processed request whose TTL has passed, or waits for it.
func (r *ImageStreamImportReconciler) expire(ctx context.Context, isi *imagev1.ImageStreamImport) (ctrl.Result, error) {
	remaining := isi.CreationTimestamp.Add(r.Options.TTL).Sub(r.Clock.Now())
	if remaining > 0 {
		return ctrl.Result{RequeueAfter: remaining}, nil
	}
	if err := r.Delete(ctx, isi); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, fmt.Errorf("deleting expired import %s: %w", klog.KObj(isi), err)
	}
	return ctrl.Result{}, nil
}

// imageStatus reports one image import in OpenShift's shape.
func (r *ImageStreamImportReconciler) imageStatus(ctx context.Context, namespace string, run *importRun, tag string, result *registry.Result, err error) imagev1.ImageImportStatus {
	if err != nil {
		return imagev1.ImageImportStatus{Tag: tag, Status: failureStatus(err)}
	}
	st := imagev1.ImageImportStatus{Tag: tag, Status: metav1.Status{Status: metav1.StatusSuccess}}
	st.Image = r.importedImage(ctx, namespace, run, result.Digest)
	for _, child := range result.Manifests {
		if img := r.importedImage(ctx, namespace, run, digestOf(child.DockerImageReference)); img != nil {
			st.Manifests = append(st.Manifests, *img)
		}
	}
	return st
}

// importedImage returns the Image of digest: fetched by this import, or the existing one.
func (r *ImageStreamImportReconciler) importedImage(ctx context.Context, namespace string, run *importRun, digest string) *imagev1.ImportedImage {
	name, err := reference.DigestName(digest)
	if err != nil {
		return nil
	}
	img := &imagev1.ImportedImage{Metadata: metav1.ObjectMeta{Name: name}}
	if data, ok := run.fetched[digest]; ok {
		img.ImageData = data
		return img
	}
	existing := &imagev1.Image{}
	if err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, existing); err != nil {
		return img
	}
	img.ImageData = existing.ImageData
	return img
}

// failureStatus turns an import error into OpenShift's failure status.
func failureStatus(err error) metav1.Status {
	reason, message, _ := failureOf(err, 0)
	codes := map[string]int32{
		"NotFound": http.StatusNotFound, "Unauthorized": http.StatusUnauthorized, "Forbidden": http.StatusForbidden,
		"BadRequest": http.StatusBadRequest, "TooManyRequests": http.StatusTooManyRequests, "Timeout": http.StatusGatewayTimeout,
	}
	code, ok := codes[reason]
	if !ok {
		code = http.StatusInternalServerError
	}
	return metav1.Status{Status: metav1.StatusFailure, Reason: metav1.StatusReason(reason), Message: message, Code: code}
}

// importRepository imports the tags of a repository, at most the bulk limit of them in
// OpenShift's priority order, and reports them in OpenShift's shape.
func (r *ImageStreamImportReconciler) importRepository(ctx context.Context, run *importRun, spec *imagev1.RepositoryImportSpec) (*imagev1.RepositoryImportStatus, []taggedImport) {
	status := &imagev1.RepositoryImportStatus{Status: metav1.Status{Status: metav1.StatusSuccess}}
	tagged, additional, err := run.importRepository(spec.From.Name, spec.ImportPolicy, r.Options.MaxImagesBulkImportedPerRepository)
	if err != nil {
		status.Status = failureStatus(err)
		return status, nil
	}
	status.AdditionalTags = additional
	failed := 0
	for i := range tagged {
		tagged[i].refPolicy = spec.ReferencePolicy
		if tagged[i].err != nil {
			failed++
		}
		status.Images = append(status.Images, r.imageStatus(ctx, run.stream.Namespace, run, tagged[i].tag, tagged[i].result, tagged[i].err))
	}
	if failed > 0 {
		message := "one of the images from this repository failed to import"
		if failed > 1 {
			message = fmt.Sprintf("%d of the images from this repository failed to import", failed)
		}
		status.Status = metav1.Status{Status: metav1.StatusFailure, Reason: "ImportFailed", Message: message}
	}
	return status, tagged
}

// writeStream records imports in the stream named like the request, creating it when
// missing: the spec tags point at the imported pull specs (the request is an explicit user
// command, so it may write spec), and the status holds the results for the new generation.
func (r *ImageStreamImportReconciler) writeStream(ctx context.Context, store imageStore, stream *imagev1.ImageStream, run *importRun, tagged []taggedImport) (*imagev1.ImageStream, error) {
	exists := stream.UID != ""
	before := stream.DeepCopy()
	for _, t := range tagged {
		ensureSpecTag(stream, t)
	}
	switch {
	case !exists:
		if err := r.Create(ctx, stream); err != nil {
			return nil, fmt.Errorf("creating image stream %s: %w", klog.KObj(stream), err)
		}
	default:
		if err := r.Patch(ctx, stream, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
			return nil, fmt.Errorf("updating image stream %s: %w", klog.KObj(stream), err)
		}
	}

	now := metav1.NewTime(r.Clock.Now())
	patch := client.MergeFromWithOptions(stream.DeepCopy(), client.MergeFromWithOptimisticLock{})
	for _, t := range tagged {
		if t.err != nil {
			reason, message, _ := failureOf(t.err, 0)
			imagestream.SetImportFailure(&stream.Status, t.tag, reason, message, stream.Generation, now)
			continue
		}
		imagestream.AddTagEvent(&stream.Status, t.tag, imagev1.TagEvent{
			Created: now, DockerImageReference: t.result.Reference, Image: t.result.Digest, Generation: stream.Generation,
		})
	}
	if err := store.syncImages(ctx, stream, run.fetched, imagestream.ReferencedImages(&stream.Status)); err != nil {
		return nil, err
	}
	if err := r.Status().Patch(ctx, stream, patch); err != nil && !apierrors.IsConflict(err) {
		return nil, fmt.Errorf("recording imports in image stream %s: %w", klog.KObj(stream), err)
	}
	return stream, nil
}

// ensureSpecTag points the spec tag at the imported pull spec with the request's import
// policy, keeping an existing tag's reference policy ("importing an image should not change
// the reference policy").
func ensureSpecTag(stream *imagev1.ImageStream, t taggedImport) {
	for i := range stream.Spec.Tags {
		if stream.Spec.Tags[i].Name == t.tag {
			stream.Spec.Tags[i].From = &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: t.from}
			stream.Spec.Tags[i].ImportPolicy = t.policy
			return
		}
	}
	stream.Spec.Tags = append(stream.Spec.Tags, imagev1.TagReference{
		Name:            t.tag,
		From:            &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: t.from},
		ImportPolicy:    t.policy,
		ReferencePolicy: t.refPolicy,
	})
}

// SetupWithManager watches import requests.
func (r *ImageStreamImportReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&imagev1.ImageStreamImport{}).
		Named("imagestreamimport").
		Complete(r)
}
