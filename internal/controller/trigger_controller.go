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
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/trigger"
)

// DefaultTriggerKinds are the workloads whose image change triggers the operator follows, as
// OpenShift's trigger controller does.
var DefaultTriggerKinds = []schema.GroupVersionKind{
	{Group: "apps", Version: "v1", Kind: "Deployment"},
	{Group: "apps", Version: "v1", Kind: "StatefulSet"},
	{Group: "apps", Version: "v1", Kind: "DaemonSet"},
	{Group: "batch", Version: "v1", Kind: "CronJob"},
}

// Event reasons of the trigger controller, on the workload.
const (
	// ReasonTriggerImageUpdated: a trigger set a container's image to its tag's new image.
	ReasonTriggerImageUpdated = "ImageUpdated"
	// ReasonInvalidTrigger: the triggers annotation is invalid or names a container that is gone.
	ReasonInvalidTrigger = "InvalidTrigger"
)

// triggerStreamsIndex indexes workloads by the `<namespace>/<stream>` keys of their active
// triggers, so that a tag move finds its workloads without listing the cluster.
const triggerStreamsIndex = "imagestreams.io/trigger-streams"

// TriggerReconciler keeps the containers named by a kind of workload's image change
// triggers (the image.imagestreams.io/triggers or image.openshift.io/triggers annotation)
// on the current image of the image stream tags they follow. Workloads are handled as
// unstructured objects, so that any resource with a pod template can be added with
// --trigger-resources.
type TriggerReconciler struct {
	Client   client.Client
	Recorder events.EventRecorder
	// Kind is the kind of workload handled.
	Kind schema.GroupVersionKind

	// workloads reads workloads from the manager's informer cache, set by SetupWithManager:
	// the manager's client reads unstructured objects from the API server, which knows
	// nothing of the trigger index.
	workloads client.Reader
}

// +kubebuilder:rbac:groups=apps,resources=deployments;statefulsets;daemonsets,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=batch,resources=cronjobs,verbs=get;list;watch;patch

// Reconcile sets every active trigger's container to its tag's current image with one JSON
// patch that tests each old image, so a concurrent edit of the same field is never clobbered.
func (r *TriggerReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)
	obj := r.newObject()
	if err := r.workloads.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	triggers, err := trigger.Parse(obj.GetAnnotations())
	if err != nil {
		r.Recorder.Eventf(obj, nil, corev1.EventTypeWarning, ReasonInvalidTrigger, "Trigger", "%v", err)
		return ctrl.Result{}, nil
	}
	if len(triggers) == 0 {
		return ctrl.Result{}, nil
	}
	path := trigger.PodSpecPathFor(r.Kind.GroupKind())
	spec, err := podSpecOf(obj, path)
	if err != nil {
		r.Recorder.Eventf(obj, nil, corev1.EventTypeWarning, ReasonInvalidTrigger, "Trigger", "%v", err)
		return ctrl.Result{}, nil
	}

	var patch []jsonPatchOperation
	var updates []string
	for i, t := range triggers {
		if t.Paused {
			continue
		}
		target, err := trigger.Resolve(path, spec, t, obj.GetNamespace())
		if err != nil {
			r.Recorder.Eventf(obj, nil, corev1.EventTypeWarning, ReasonInvalidTrigger, "Trigger", "trigger %d: %v", i, err)
			continue
		}
		image, err := r.currentImage(ctx, target.Stream)
		if err != nil {
			return ctrl.Result{}, err
		}
		if image == "" { // no image yet: nothing to roll out
			continue
		}
		container := target.Container(spec)
		if container.Image == image {
			continue
		}
		pointer := target.ImagePointer(path)
		patch = append(patch,
			jsonPatchOperation{Op: "test", Path: pointer, Value: container.Image},
			jsonPatchOperation{Op: "replace", Path: pointer, Value: image})
		updates = append(updates, fmt.Sprintf("container %q image %s -> %s (image stream tag %s)",
			container.Name, container.Image, image, target.Stream))
		container.Image = image
	}
	if len(patch) == 0 {
		return ctrl.Result{}, nil
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := r.Client.Patch(ctx, obj, client.RawPatch(types.JSONPatchType, raw)); err != nil {
		// A failed test means the object changed since it was read: the next attempt
		// starts again from the object as it is.
		return ctrl.Result{}, fmt.Errorf("updating %s images: %w", klog.KObj(obj), err)
	}
	triggerUpdates.WithLabelValues(r.Kind.Kind).Add(float64(len(updates)))
	for _, u := range updates {
		log.Info("Trigger updated an image", "update", u)
		r.Recorder.Eventf(obj, nil, corev1.EventTypeNormal, ReasonTriggerImageUpdated, "Trigger", "Updated %s", u)
	}
	return ctrl.Result{}, nil
}

// currentImage returns the pull spec of the current image of a stream tag, or "" when the
// stream or the tag has none yet.
func (r *TriggerReconciler) currentImage(ctx context.Context, st trigger.StreamTag) (string, error) {
	is := &imagev1.ImageStream{}
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: st.Namespace, Name: st.Stream}, is); err != nil {
		return "", client.IgnoreNotFound(err)
	}
	image, _ := imagestream.TagPullSpec(is, st.Tag)
	return image, nil
}

// jsonPatchOperation is one RFC 6902 operation.
type jsonPatchOperation struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
}

// podSpecOf decodes the pod spec of obj at path.
func podSpecOf(obj *unstructured.Unstructured, path trigger.PodSpecPath) (*corev1.PodSpec, error) {
	raw, found, err := unstructured.NestedMap(obj.Object, path.Fields()...)
	if err != nil || !found {
		return nil, fmt.Errorf("%s has no pod spec at %s", obj.GetKind(), path)
	}
	spec := &corev1.PodSpec{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, spec); err != nil {
		return nil, fmt.Errorf("decoding the pod spec at %s: %w", path, err)
	}
	return spec, nil
}

// newObject returns an empty object of the reconciler's kind.
func (r *TriggerReconciler) newObject() *unstructured.Unstructured {
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(r.Kind)
	return obj
}

// SetupWithManager indexes the workloads by the streams they follow and watches them and
// the image streams.
func (r *TriggerReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.workloads = mgr.GetCache()
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), r.newObject(), triggerStreamsIndex, triggerStreams); err != nil {
		return fmt.Errorf("indexing %s triggers: %w", r.Kind.Kind, err)
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("trigger-"+strings.ToLower(r.Kind.Kind)+"."+r.Kind.Group).
		For(r.newObject(), builder.WithPredicates(hasTriggers,
			predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&imagev1.ImageStream{}, handler.EnqueueRequestsFromMapFunc(r.workloadsFollowing),
			builder.WithPredicates(currentImagesChanged)).
		Complete(r)
}

// workloadsFollowing maps a stream to the workloads of the reconciler's kind with a trigger
// on it.
func (r *TriggerReconciler) workloadsFollowing(ctx context.Context, is client.Object) []reconcile.Request {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(r.Kind.GroupVersion().WithKind(r.Kind.Kind + "List"))
	key := is.GetNamespace() + "/" + is.GetName()
	if err := r.workloads.List(ctx, list, client.MatchingFields{triggerStreamsIndex: key}); err != nil {
		logf.FromContext(ctx).Error(err, "Listing the workloads that follow a stream", "stream", key, "kind", r.Kind.Kind)
		return nil
	}
	requests := make([]reconcile.Request, 0, len(list.Items))
	for _, obj := range list.Items {
		requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&obj)})
	}
	return requests
}

// triggerStreams returns the streams that obj's active triggers follow.
func triggerStreams(obj client.Object) []string {
	triggers, err := trigger.Parse(obj.GetAnnotations())
	if err != nil {
		return nil
	}
	var keys []string
	for _, t := range triggers {
		if st, err := t.StreamTag(obj.GetNamespace()); err == nil && !t.Paused {
			keys = append(keys, st.StreamKey())
		}
	}
	return keys
}

// hasTriggers passes workloads carrying a triggers annotation (before or after an update).
var hasTriggers = predicate.NewPredicateFuncs(func(obj client.Object) bool {
	annotations := obj.GetAnnotations()
	_, ours := annotations[imagev1.TriggersAnnotation]
	_, theirs := annotations[imagev1.OpenShiftTriggersAnnotation]
	return ours || theirs
})

// currentImagesChanged passes stream updates that change what a tag resolves to.
var currentImagesChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		old, okOld := e.ObjectOld.(*imagev1.ImageStream)
		is, okNew := e.ObjectNew.(*imagev1.ImageStream)
		return !okOld || !okNew || !reflect.DeepEqual(currentImages(old), currentImages(is))
	},
}

// currentImages maps each tag of a stream to the pull spec it resolves to.
func currentImages(is *imagev1.ImageStream) map[string]string {
	images := make(map[string]string, len(is.Status.Tags))
	for _, t := range is.Status.Tags {
		images[t.Tag], _ = imagestream.TagPullSpec(is, t.Tag)
	}
	return images
}

// TriggerKinds resolves --trigger-resources entries (`<resource>.<group>/<version>`, e.g.
// `rollouts.argoproj.io/v1alpha1`) to the kinds the trigger controller handles, after the
// default ones.
func TriggerKinds(mapper meta.RESTMapper, resources []string) ([]schema.GroupVersionKind, error) {
	kinds := append([]schema.GroupVersionKind{}, DefaultTriggerKinds...)
	for _, r := range resources {
		resourceGroup, version, ok := strings.Cut(r, "/")
		resource, group, _ := strings.Cut(resourceGroup, ".")
		if !ok || resource == "" || version == "" {
			return nil, fmt.Errorf("--trigger-resources: %q is not of the form <resource>.<group>/<version>, e.g. rollouts.argoproj.io/v1alpha1", r)
		}
		gvk, err := mapper.KindFor(schema.GroupVersionResource{Group: group, Version: version, Resource: resource})
		if err != nil {
			return nil, fmt.Errorf("--trigger-resources: %q: %w", r, err)
		}
		kinds = append(kinds, gvk)
	}
	return kinds, nil
}
