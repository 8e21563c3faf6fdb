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
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/imagestreams/imagestream-operator/internal/trigger"
)

// TriggerPath is where the trigger annotation webhook is served.
const TriggerPath = "/validate-imagestreams-triggers"

// The matchConditions send only objects that carry one of the two triggers annotations and
// are not being deleted, so workloads without triggers never depend on the operator: while
// it is down they are created and updated as usual. The failure policy is Fail: an object
// with triggers already depends on the operator to get its images, and admitting a trigger
// unchecked while the operator is unavailable would let a malformed trigger (which would
// never fire) or a stream in a namespace the user may not read slip in for good.
// +kubebuilder:webhook:path=/validate-imagestreams-triggers,mutating=false,failurePolicy=fail,sideEffects=None,groups=apps;batch,resources=deployments;statefulsets;daemonsets;cronjobs,verbs=create;update,versions=v1,name=vtriggers.image.imagestreams.io,admissionReviewVersions=v1,patch=`{"matchConditions":[{"name":"has-triggers-annotation","expression":"has(object.metadata.annotations) && ('image.imagestreams.io/triggers' in object.metadata.annotations || 'image.openshift.io/triggers' in object.metadata.annotations) && !has(object.metadata.deletionTimestamp)"}]}`

// TriggerValidator checks the image change triggers annotation of Deployments, StatefulSets,
// DaemonSets and CronJobs: valid JSON, valid rules (internal/trigger), and, for triggers
// that follow a stream in another namespace, that the requesting user may read streams
// there.
type TriggerValidator struct {
	Access  AccessChecker
	decoder admission.Decoder
}

// SetupTriggerWebhookWithManager serves the trigger webhook.
func SetupTriggerWebhookWithManager(mgr ctrl.Manager, v *TriggerValidator) error {
	v.decoder = admission.NewDecoder(mgr.GetScheme())
	mgr.GetWebhookServer().Register(TriggerPath, &webhook.Admission{Handler: v})
	return nil
}

// Handle validates the triggers of one workload.
func (v *TriggerValidator) Handle(ctx context.Context, req admission.Request) admission.Response {
	if req.SubResource != "" || (req.Operation != admissionv1.Create && req.Operation != admissionv1.Update) {
		return admission.Allowed("")
	}
	obj := newTriggerWorkload(req.Kind.Kind)
	if obj == nil {
		return admission.Allowed("")
	}
	if err := v.decoder.Decode(req, obj); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	var old client.Object
	if req.Operation == admissionv1.Update {
		old = newTriggerWorkload(req.Kind.Kind)
		if err := v.decoder.DecodeRaw(req.OldObject, old); err != nil {
			return admission.Errored(http.StatusBadRequest, err)
		}
	}
	gk := schema.GroupKind{Group: req.Kind.Group, Kind: req.Kind.Kind}
	errs := v.validate(ctx, req.UserInfo, gk, obj, old)
	if len(errs) == 0 {
		return admission.Allowed("")
	}
	status := apierrors.NewInvalid(gk, obj.GetName(), errs).ErrStatus
	return admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{Allowed: false, Result: &status}}
}

// newTriggerWorkload returns an empty object of a kind whose triggers are validated, or nil.
func newTriggerWorkload(kind string) client.Object {
	switch kind {
	case "Deployment":
		return &appsv1.Deployment{}
	case "StatefulSet":
		return &appsv1.StatefulSet{}
	case "DaemonSet":
		return &appsv1.DaemonSet{}
	case "CronJob":
		return &batchv1.CronJob{}
	}
	return nil
}

// validate returns the errors of obj's triggers. Access to other namespaces' streams is
// checked only for triggers whose from is not already in old, so an update that leaves the
// triggers alone does not depend on the user's access to them.
func (v *TriggerValidator) validate(ctx context.Context, user authenticationv1.UserInfo, gk schema.GroupKind, obj, old client.Object) field.ErrorList {
	key, value, err := trigger.Annotation(obj.GetAnnotations())
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata", "annotations"), "", err.Error())}
	}
	if key == "" {
		return nil
	}
	triggers, err := trigger.Decode(value)
	if err != nil {
		return field.ErrorList{field.Invalid(trigger.AnnotationPath(key), value, err.Error())}
	}
	errs := trigger.Validate(key, trigger.PodSpecPathFor(gk), podSpec(obj), triggers)

	var known []trigger.ObjectFieldTrigger
	if old != nil {
		// An old object with an invalid annotation has no known triggers: all are checked.
		known, _ = trigger.Parse(old.GetAnnotations())
	}
	checked := map[string]*field.Error{}
	for i, t := range triggers {
		ns := t.From.Namespace
		if ns == "" || ns == obj.GetNamespace() || hasFrom(known, t.From) {
			continue
		}
		path := trigger.AnnotationPath(key).Index(i).Child("from", "namespace")
		denied, done := checked[ns]
		if !done {
			denied = v.Access.CheckStreamAccess(ctx, user, ns, path)
			checked[ns] = denied
		}
		if denied != nil {
			e := *denied
			e.Field = path.String()
			errs = append(errs, &e)
		}
	}
	return errs
}

// hasFrom reports whether one of triggers follows from.
func hasFrom(triggers []trigger.ObjectFieldTrigger, from trigger.ObjectReference) bool {
	for _, t := range triggers {
		if t.From == from {
			return true
		}
	}
	return false
}
