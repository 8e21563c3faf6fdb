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

// Package controller holds the reconcilers. They stay thin: read the object and the world,
// compute the desired status with internal/imagestream, write the difference once.
package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/registry"
)

// ImageStreamOptions configure the ImageStream reconciler.
type ImageStreamOptions struct {
	// RegistryHostname is the integrated registry's hostname; when set,
	// status.dockerImageRepository is <hostname>/<namespace>/<name>.
	RegistryHostname string
	// PublicRegistryHostname is the registry's public hostname for
	// status.publicDockerImageRepository.
	PublicRegistryHostname string
	// MaxTagHistory bounds the items of each tag (oldest trimmed first); <= 0 keeps all.
	MaxTagHistory int
	// MaxImagesBulkImportedPerRepository limits the tags imported from
	// spec.dockerImageRepository; <= 0 means no limit.
	MaxImagesBulkImportedPerRepository int
	// RetryInterval is how long a tag that failed with a transient error (timeout, 5xx,
	// rate limit without Retry-After) waits before the next try.
	RetryInterval time.Duration
}

// ImageStreamReconciler imports the DockerImage tags of image streams and keeps their
// history, Image objects and conditions.
type ImageStreamReconciler struct {
	client.Client
	// APIReader reads pull secrets straight from the API server.
	APIReader client.Reader
	Recorder  events.EventRecorder
	Importer  *registry.Importer
	Clock     clock.PassiveClock
	Options   ImageStreamOptions
	// Schedule re-checks scheduled tags; nil disables scheduled import.
	Schedule *Schedule
}

// +kubebuilder:rbac:groups=image.imagestreams.io,resources=imagestreams,verbs=get;list;watch
// +kubebuilder:rbac:groups=image.imagestreams.io,resources=imagestreams/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=image.imagestreams.io,resources=images,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile imports the tags of one stream that need it and writes the resulting status.
func (r *ImageStreamReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)
	is := &imagev1.ImageStream{}
	if err := r.Get(ctx, req.NamespacedName, is); err != nil {
		if apierrors.IsNotFound(err) && r.Schedule != nil {
			r.Schedule.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !is.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}

	now := metav1.NewTime(r.Clock.Now())
	status := is.Status.DeepCopy()
	store := imageStore{client: r.Client, apiReader: r.APIReader}
	run := &importRun{ctx: ctx, reader: store, importer: r.Importer, stream: is}
	requested := is.Annotations[imagev1.ImportRequestedAtAnnotation]
	forced := requested != "" && requested != status.ImportRequestObserved
	recheck, slot, retryAfter := r.scheduledChecks(is, now.Time)

	for _, tag := range is.Spec.Tags {
		if tag.From == nil || tag.From.Kind != imagev1.DockerImageKind {
			continue
		}
		if tag.Reference {
			imagestream.AddTagEvent(status, tag.Name, imagev1.TagEvent{
				Created: now, DockerImageReference: tag.From.Name, Generation: is.Generation,
			})
			continue
		}
		if !forced && !recheck[tag.Name] && !needsImport(status, tag.Name, is.Generation) {
			continue
		}
		result, err := run.importTag(tag)
		if err != nil {
			reason, message, after := failureOf(err, r.Options.RetryInterval)
			imagestream.SetImportFailure(status, tag.Name, reason, message, is.Generation, now)
			retryAfter = shortest(retryAfter, after)
			log.V(1).Info("Import failed", "tag", tag.Name, "reason", reason, "message", message)
			continue
		}
		imagestream.AddTagEvent(status, tag.Name, imagev1.TagEvent{
			Created:              now,
			DockerImageReference: result.Reference,
			Image:                result.Digest,
			Generation:           is.Generation,
		})
	}
	retryAfter = shortest(retryAfter, r.importPushedTags(run, is, status, forced, now))
	var repositoryErr error
	if r.repositoryImportDue(is, forced) {
		repositoryErr = r.importRepositoryTags(run, is, status, now)
	}
	waiting, err := r.resolveReferences(ctx, is, status, run, now)
	if err != nil {
		return ctrl.Result{}, err
	}
	status.ImportRequestObserved = requested
	trimmed := imagestream.TrimHistory(status, r.Options.MaxTagHistory, imagestream.MaxStatusBytes)
	r.setRepositories(is, status)
	setReady(is, status, waiting, repositoryErr)
	status.ObservedGeneration = is.Generation

	if err := store.syncImages(ctx, is, run.fetched, imagestream.ReferencedImages(status)); err != nil {
		return ctrl.Result{}, err
	}
	if !equality.Semantic.DeepEqual(is.Status, *status) {
		patch := client.MergeFromWithOptions(is.DeepCopy(), client.MergeFromWithOptimisticLock{})
		old := is.Status.DeepCopy()
		is.Status = *status
		if err := r.Status().Patch(ctx, is, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("updating status of %s: %w", klog.KObj(is), err)
		}
		r.recordTransitions(is, old, status, trimmed)
	}
	if len(recheck) > 0 {
		r.Schedule.done(req.NamespacedName, slot)
	}
	if r.Schedule != nil && len(imagestream.ScheduledTags(is)) > 0 {
		retryAfter = shortest(retryAfter, r.Schedule.untilNext(req.NamespacedName, now.Time))
	}
	return ctrl.Result{RequeueAfter: retryAfter}, nil
}

// scheduledChecks returns the scheduled tags to re-check now (the stream's slot is due and
// the per-minute cap admits it) and the slot; when the cap refuses, how long to wait.
func (r *ImageStreamReconciler) scheduledChecks(is *imagev1.ImageStream, now time.Time) (map[string]bool, time.Time, time.Duration) {
	if r.Schedule == nil {
		return nil, time.Time{}, 0
	}
	tags := imagestream.ScheduledTags(is)
	key := client.ObjectKeyFromObject(is)
	r.Schedule.track(key, len(tags))
	if len(tags) == 0 {
		return nil, time.Time{}, 0
	}
	due, slot := r.Schedule.due(key, now)
	if !due {
		return nil, slot, 0
	}
	if ok, wait := r.Schedule.admit(key, now); !ok {
		return nil, slot, wait
	}
	scheduledCheckDelay.Observe(now.Sub(slot).Seconds())
	recheck := make(map[string]bool, len(tags))
	for _, t := range tags {
		recheck[t] = true
	}
	return recheck, slot, 0
}

// repositoryImportDue reports whether the tags of spec.dockerImageRepository are imported
// now: after a spec change, on request, or to retry a failed listing.
func (r *ImageStreamReconciler) repositoryImportDue(is *imagev1.ImageStream, forced bool) bool {
	if is.Spec.DockerImageRepository == "" {
		return false
	}
	ready := meta.FindStatusCondition(is.Status.Conditions, imagev1.ReadyCondition)
	return forced || is.Status.ObservedGeneration < is.Generation ||
		(ready != nil && ready.Reason == imagev1.ReasonRepositoryImportFailed)
}

// importRepositoryTags imports the tags of spec.dockerImageRepository (at most the bulk
// limit, in OpenShift's priority order) into status only, as OpenShift does; spec tags of
// the same name win. It returns an error when the repository could not be listed.
func (r *ImageStreamReconciler) importRepositoryTags(run *importRun, is *imagev1.ImageStream, status *imagev1.ImageStreamStatus, now metav1.Time) error {
	policy := imagev1.TagImportPolicy{Insecure: insecureRepository(is)}
	imported, _, err := run.importRepository(is.Spec.DockerImageRepository, policy, r.Options.MaxImagesBulkImportedPerRepository)
	if err != nil {
		_, message, _ := failureOf(err, 0)
		return errors.New(message)
	}
	for _, t := range imported {
		if slices.ContainsFunc(is.Spec.Tags, func(s imagev1.TagReference) bool { return s.Name == t.tag }) {
			continue
		}
		if t.err != nil {
			reason, message, _ := failureOf(t.err, 0)
			imagestream.SetImportFailure(status, t.tag, reason, message, is.Generation, now)
			continue
		}
		imagestream.AddTagEvent(status, t.tag, imagev1.TagEvent{
			Created: now, DockerImageReference: t.result.Reference, Image: t.result.Digest, Generation: is.Generation,
		})
	}
	return nil
}

// needsImport reports whether an importable tag must be imported now: it has no status for
// the stream's current generation, or its last import failed (failed tags are retried on
// every reconcile; a pull-secret change or a RequeueAfter brings one).
func needsImport(status *imagev1.ImageStreamStatus, tag string, generation int64) bool {
	return imagestream.ObservedGeneration(status, tag) < generation || imagestream.ImportFailure(status, tag) != nil
}

// setRepositories fills the stream's pull locations from the integrated registry hostnames.
func (r *ImageStreamReconciler) setRepositories(is *imagev1.ImageStream, status *imagev1.ImageStreamStatus) {
	status.DockerImageRepository = is.Spec.DockerImageRepository
	if r.Options.RegistryHostname != "" {
		status.DockerImageRepository = r.Options.RegistryHostname + "/" + is.Namespace + "/" + is.Name
	}
	status.PublicDockerImageRepository = ""
	if r.Options.PublicRegistryHostname != "" {
		status.PublicDockerImageRepository = r.Options.PublicRegistryHostname + "/" + is.Namespace + "/" + is.Name
	}
}

// setReady summarises the tags in the Ready condition.
func setReady(is *imagev1.ImageStream, status *imagev1.ImageStreamStatus, waiting []string, repositoryErr error) {
	var failed []string
	for _, tag := range is.Spec.Tags {
		if c := imagestream.ImportFailure(status, tag.Name); c != nil {
			failed = append(failed, fmt.Sprintf("%s (%s)", tag.Name, c.Reason))
		}
	}
	cond := metav1.Condition{
		Type: imagev1.ReadyCondition, Status: metav1.ConditionTrue, ObservedGeneration: is.Generation,
		Reason: imagev1.ReasonTagsResolved, Message: "every spec tag is resolved",
	}
	switch {
	case repositoryErr != nil:
		cond.Status, cond.Reason = metav1.ConditionFalse, imagev1.ReasonRepositoryImportFailed
		cond.Message = fmt.Sprintf("importing spec.dockerImageRepository %s failed: %v", is.Spec.DockerImageRepository, repositoryErr)
	case len(failed) > 0:
		cond.Status, cond.Reason = metav1.ConditionFalse, imagev1.ReasonImportFailed
		cond.Message = "import failed for tags: " + strings.Join(failed, ", ")
	case len(waiting) > 0:
		slices.Sort(waiting)
		cond.Status, cond.Reason = metav1.ConditionFalse, imagev1.ReasonWaitingForSource
		cond.Message = "tags waiting for their source to have an image: " + strings.Join(waiting, ", ")
	}
	meta.SetStatusCondition(&status.Conditions, cond)
}

// recordTransitions emits one event per tag whose current image or failure changed.
func (r *ImageStreamReconciler) recordTransitions(is *imagev1.ImageStream, old, status *imagev1.ImageStreamStatus, trimmed []string) {
	for _, t := range status.Tags {
		before, after := imagestream.LatestEvent(old, t.Tag), imagestream.LatestEvent(status, t.Tag)
		if after != nil && (before == nil || before.DockerImageReference != after.DockerImageReference || before.Image != after.Image) {
			reason := "Imported"
			if after.Image == "" {
				reason = "TagUpdated"
			}
			r.Recorder.Eventf(is, nil, corev1.EventTypeNormal, reason, "Import",
				"Tag %s now points to %s", t.Tag, after.DockerImageReference)
		}
		failure, wasFailure := imagestream.ImportFailure(status, t.Tag), imagestream.ImportFailure(old, t.Tag)
		if failure != nil && (wasFailure == nil || wasFailure.Reason != failure.Reason || wasFailure.Message != failure.Message) {
			r.Recorder.Eventf(is, nil, corev1.EventTypeWarning, "ImportFailed", "Import",
				"Import of tag %s failed (%s): %s", t.Tag, failure.Reason, failure.Message)
		}
	}
	if len(trimmed) > 0 {
		r.Recorder.Eventf(is, nil, corev1.EventTypeWarning, "HistoryTrimmed", "Import",
			"Removed the oldest history items of tags %s (at most %d items a tag, %d KiB of status)",
			strings.Join(trimmed, ", "), r.Options.MaxTagHistory, imagestream.MaxStatusBytes>>10)
	}
}

// failureOf turns an import error into a tag condition and the delay before a retry.
func failureOf(err error, retryInterval time.Duration) (reason, message string, retryAfter time.Duration) {
	var regErr *registry.Error
	if !errors.As(err, &regErr) {
		return "InternalError", err.Error(), retryInterval
	}
	switch regErr.Reason {
	case "TooManyRequests":
		retryAfter = regErr.RetryAfter
		if retryAfter <= 0 {
			retryAfter = retryInterval
		}
	case "InternalError", "Timeout":
		retryAfter = retryInterval
	}
	return regErr.Reason, regErr.Message, retryAfter
}

func shortest(a, b time.Duration) time.Duration {
	if a == 0 || (b > 0 && b < a) {
		return b
	}
	return a
}

// SetupWithManager watches image streams, and pull secrets to retry failed imports.
func (r *ImageStreamReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := indexImageOwners(context.Background(), mgr); err != nil {
		return err
	}
	if err := indexSourceStreams(context.Background(), mgr); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&imagev1.ImageStream{}).
		Watches(&imagev1.ImageStream{}, handler.EnqueueRequestsFromMapFunc(r.streamsCopyingFrom)).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.streamsWithFailedImports), builder.OnlyMetadata).
		Named("imagestream").
		Complete(r)
}

// streamsWithFailedImports maps a secret to the streams of its namespace that have a failed
// tag, so that fixing a pull secret retries their imports without touching the streams.
func (r *ImageStreamReconciler) streamsWithFailedImports(ctx context.Context, obj client.Object) []reconcile.Request {
	streams := &imagev1.ImageStreamList{}
	if err := r.List(ctx, streams, client.InNamespace(obj.GetNamespace())); err != nil {
		logf.FromContext(ctx).Error(err, "Listing image streams for a pull secret change", "namespace", obj.GetNamespace())
		return nil
	}
	var requests []reconcile.Request
	for _, is := range streams.Items {
		if c := meta.FindStatusCondition(is.Status.Conditions, imagev1.ReadyCondition); c != nil && c.Status == metav1.ConditionFalse {
			requests = append(requests, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: is.Namespace, Name: is.Name}})
		}
	}
	return requests
}

// pullSecrets returns the keychain of the pull secrets of a namespace, read from the API
// server (never from another namespace, never cached).
func pullSecrets(ctx context.Context, reader client.Reader, namespace string) (authn.Keychain, error) {
	var secrets []corev1.Secret
	for _, t := range []corev1.SecretType{corev1.SecretTypeDockerConfigJson, corev1.SecretTypeDockercfg} {
		list := &corev1.SecretList{}
		if err := reader.List(ctx, list, client.InNamespace(namespace), client.MatchingFields{"type": string(t)}); err != nil {
			return nil, fmt.Errorf("listing %s secrets in namespace %s: %w", t, namespace, err)
		}
		secrets = append(secrets, list.Items...)
	}
	return registry.KeychainFromSecrets(secrets), nil
}
