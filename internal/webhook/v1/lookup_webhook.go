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
	"context"
	"encoding/json"
	"net/http"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// ResolveNamesAnnotation set to "*" on an object or its pod template resolves every image
// name of it through the namespace's image streams, whatever their lookupPolicy.
const ResolveNamesAnnotation = "image.imagestreams.io/resolve-names"

// LookupPath is where the local-name lookup webhook is served.
const LookupPath = "/mutate-imagestreams-lookup"

// The matchConditions send only objects that name an image by a single segment (`mysql`,
// `php:8.3`) or carry the resolve-names annotation, so pods with fully qualified images
// never wait on the operator. The failure policy is Fail: a pod that asks for a short name
// that a stream should resolve must not silently run Docker Hub's image of that name while
// the operator is unavailable.
// +kubebuilder:webhook:path=/mutate-imagestreams-lookup,mutating=true,failurePolicy=fail,sideEffects=None,groups="";apps;batch,resources=pods;deployments;statefulsets;daemonsets;replicasets;jobs;cronjobs,verbs=create;update,versions=v1,name=mlookup.image.imagestreams.io,admissionReviewVersions=v1,reinvocationPolicy=IfNeeded,patch=`{"matchConditions":[{"name":"short-image-name-or-resolve-names","expression":"(has(object.metadata.annotations) && 'image.imagestreams.io/resolve-names' in object.metadata.annotations) || [object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)].exists(s, s.containers.exists(c, !c.image.contains('/')) || (has(s.initContainers) && s.initContainers.exists(c, !c.image.contains('/')))) || (object.kind != 'Pod' && object.kind != 'CronJob' && has(object.spec.template.metadata) && has(object.spec.template.metadata.annotations) && 'image.imagestreams.io/resolve-names' in object.spec.template.metadata.annotations) || (object.kind == 'CronJob' && has(object.spec.jobTemplate.spec.template.metadata) && has(object.spec.jobTemplate.spec.template.metadata.annotations) && 'image.imagestreams.io/resolve-names' in object.spec.jobTemplate.spec.template.metadata.annotations)"}]}`

// LookupMutator rewrites short image names of pods and pod templates to the pull spec of
// the namespace's image stream tag they name, when the stream has lookupPolicy.local (or the
// object asks with ResolveNamesAnnotation).
type LookupMutator struct {
	Client  client.Reader
	decoder admission.Decoder
}

// SetupLookupWebhookWithManager serves the lookup webhook.
func SetupLookupWebhookWithManager(mgr ctrl.Manager, m *LookupMutator) error {
	m.decoder = admission.NewDecoder(mgr.GetScheme())
	mgr.GetWebhookServer().Register(LookupPath, &webhook.Admission{Handler: m})
	return nil
}

// Handle resolves the images of one pod or workload.
func (m *LookupMutator) Handle(ctx context.Context, req admission.Request) admission.Response {
	if req.SubResource != "" {
		return admission.Allowed("")
	}
	obj, meta, template, err := m.decode(req)
	if err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if obj == nil {
		return admission.Allowed("")
	}
	force := meta.Annotations[ResolveNamesAnnotation] == "*" || (template != nil && template.Annotations[ResolveNamesAnnotation] == "*")
	spec := podSpec(obj)
	changed := false
	for _, containers := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range containers {
			if resolved, ok := m.resolve(ctx, req.Namespace, containers[i].Image, force); ok && resolved != containers[i].Image {
				logf.FromContext(ctx).V(1).Info("Resolved image through an image stream", "image", containers[i].Image, "resolved", resolved)
				containers[i].Image = resolved
				changed = true
			}
		}
	}
	if !changed {
		return admission.Allowed("")
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	return admission.PatchResponseFromRaw(req.Object.Raw, raw)
}

// decode returns the object, its metadata and its pod template metadata (nil for pods), or
// a nil object when the request is one the lookup leaves alone: pods owned by a controller
// (their template was resolved at the owner) and updates of Jobs.
func (m *LookupMutator) decode(req admission.Request) (client.Object, *metav1.ObjectMeta, *metav1.ObjectMeta, error) {
	var obj client.Object
	switch req.Kind.Kind {
	case "Pod":
		obj = &corev1.Pod{}
	case "Deployment":
		obj = &appsv1.Deployment{}
	case "StatefulSet":
		obj = &appsv1.StatefulSet{}
	case "DaemonSet":
		obj = &appsv1.DaemonSet{}
	case "ReplicaSet":
		obj = &appsv1.ReplicaSet{}
	case "Job":
		if req.Operation == "UPDATE" {
			return nil, nil, nil, nil
		}
		obj = &batchv1.Job{}
	case "CronJob":
		obj = &batchv1.CronJob{}
	default:
		return nil, nil, nil, nil
	}
	if err := m.decoder.Decode(req, obj); err != nil {
		return nil, nil, nil, err
	}
	if metav1.GetControllerOf(obj) != nil && req.Kind.Kind == "Pod" {
		return nil, nil, nil, nil
	}
	meta := &metav1.ObjectMeta{Annotations: obj.GetAnnotations()}
	if _, ok := obj.(*corev1.Pod); ok {
		return obj, meta, nil, nil
	}
	return obj, meta, &podTemplate(obj).ObjectMeta, nil
}

// podTemplate returns the pod template of a workload.
func podTemplate(obj client.Object) *corev1.PodTemplateSpec {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return &o.Spec.Template
	case *appsv1.StatefulSet:
		return &o.Spec.Template
	case *appsv1.DaemonSet:
		return &o.Spec.Template
	case *appsv1.ReplicaSet:
		return &o.Spec.Template
	case *batchv1.Job:
		return &o.Spec.Template
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template
	}
	return nil
}

// podSpec returns the pod spec of a pod or workload.
func podSpec(obj client.Object) *corev1.PodSpec {
	if pod, ok := obj.(*corev1.Pod); ok {
		return &pod.Spec
	}
	return &podTemplate(obj).Spec
}

// resolve returns the pull spec an image name resolves to through the namespace's image
// streams: `name[:tag]` (a single segment; with force, the last segment of any name) is the
// image stream tag `name:tag` (`latest` by default).
func (m *LookupMutator) resolve(ctx context.Context, namespace, image string, force bool) (string, bool) {
	ref, err := reference.Parse(image)
	if err != nil || ref.ID != "" || ref.Name == "" {
		return "", false
	}
	if !force && (ref.Registry != "" || ref.Namespace != "") {
		return "", false
	}
	name := ref.Name[strings.LastIndex(ref.Name, "/")+1:]
	tag := ref.Tag
	if tag == "" {
		tag = "latest"
	}
	is := &imagev1.ImageStream{}
	if err := m.Client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, is); err != nil {
		return "", false
	}
	if !force && !is.Spec.LookupPolicy.Local {
		return "", false
	}
	if spec, ok := imagestream.TagPullSpec(is, tag); ok {
		return spec, true
	}
	if is.Status.DockerImageRepository != "" {
		return is.Status.DockerImageRepository + ":" + tag, true
	}
	return "", false
}
