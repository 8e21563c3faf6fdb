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
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/reference"
	"github.com/imagestreams/imagestream-operator/internal/registry"
)

// +kubebuilder:webhook:path=/validate-image-imagestreams-io-v1-imagestream,mutating=false,failurePolicy=fail,sideEffects=None,groups=image.imagestreams.io,resources=imagestreams,verbs=create;update,versions=v1,name=vimagestream-v1.image.imagestreams.io,admissionReviewVersions=v1

// ImageStreamValidator checks what the CRD schema cannot: that pull specs and stream
// references parse for their kind, that tracking tags form no cycle, that the registry
// policy allows the registries, and that the user may read the namespaces tags copy from.
type ImageStreamValidator struct {
	Access AccessChecker
	// Policy is the import registry policy; nil refuses only link-local and metadata addresses.
	Policy *registry.Policy
	// RegistryHostname is the operator's --registry-hostname, for warnings.
	RegistryHostname string
}

// SetupImageStreamWebhookWithManager registers the ImageStream validating webhook.
func SetupImageStreamWebhookWithManager(mgr ctrl.Manager, v *ImageStreamValidator) error {
	return ctrl.NewWebhookManagedBy(mgr, &imagev1.ImageStream{}).WithValidator(v).Complete()
}

// ValidateCreate validates a new stream.
func (v *ImageStreamValidator) ValidateCreate(ctx context.Context, is *imagev1.ImageStream) (admission.Warnings, error) {
	return v.validate(ctx, nil, is)
}

// ValidateUpdate validates a changed stream; references that did not change are not checked
// against the registry policy or access again, so old tags may stay.
func (v *ImageStreamValidator) ValidateUpdate(ctx context.Context, old, is *imagev1.ImageStream) (admission.Warnings, error) {
	return v.validate(ctx, old, is)
}

// ValidateDelete allows every deletion.
func (v *ImageStreamValidator) ValidateDelete(context.Context, *imagev1.ImageStream) (admission.Warnings, error) {
	return nil, nil
}

func (v *ImageStreamValidator) validate(ctx context.Context, old, is *imagev1.ImageStream) (admission.Warnings, error) {
	var errs field.ErrorList
	var warnings admission.Warnings
	spec := field.NewPath("spec")

	if repo := is.Spec.DockerImageRepository; repo != "" {
		path := spec.Child("dockerImageRepository")
		warnings = append(warnings, "spec.dockerImageRepository is deprecated: import each tag through spec.tags[].from instead")
		ref, err := reference.Parse(repo)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(path, repo, err.Error()))
		case ref.Tag != "":
			errs = append(errs, field.Invalid(path, repo, "the repository name may not contain a tag"))
		case ref.ID != "":
			errs = append(errs, field.Invalid(path, repo, "the repository name may not contain an ID"))
		case old == nil || old.Spec.DockerImageRepository != repo:
			if err := v.checkRegistry(ref); err != nil {
				errs = append(errs, field.Forbidden(path, err.Error()))
			}
		}
	}

	user := requestUser(ctx)
	for i, t := range is.Spec.Tags {
		path := spec.Child("tags").Index(i)
		if t.ReferencePolicy.Type == imagev1.LocalTagReferencePolicy && v.RegistryHostname == "" {
			warnings = append(warnings, fmt.Sprintf("%s: Local has no effect: the operator runs without --registry-hostname, so pulls use the source pull spec",
				path.Child("referencePolicy", "type")))
		}
		if t.From == nil {
			continue
		}
		changed := tagChanged(old, t)
		name := path.Child("from", "name")
		switch t.From.Kind {
		case imagev1.DockerImageKind:
			ref, err := reference.Parse(t.From.Name)
			if err != nil {
				errs = append(errs, field.Invalid(name, t.From.Name, err.Error()))
			} else if changed {
				if err := v.checkRegistry(ref); err != nil {
					errs = append(errs, field.Forbidden(name, err.Error()))
				}
			}
			continue
		case imagev1.ImageStreamTagKind:
			if _, _, err := reference.SplitTagReference(t.From.Name); err != nil {
				errs = append(errs, field.Invalid(name, t.From.Name, err.Error()))
				continue
			}
		case imagev1.ImageStreamImageKind:
			if _, _, err := reference.SplitImageReference(t.From.Name); err != nil {
				errs = append(errs, field.Invalid(name, t.From.Name, err.Error()))
				continue
			}
		}
		if changed && t.From.Namespace != "" && t.From.Namespace != is.Namespace {
			if err := v.Access.CheckStreamAccess(ctx, user, t.From.Namespace, path.Child("from")); err != nil {
				errs = append(errs, err)
			}
		}
	}

	_, cycles := imagestream.ResolveTracking(is)
	for i, t := range is.Spec.Tags {
		if err, ok := cycles[t.Name]; ok {
			errs = append(errs, field.Invalid(spec.Child("tags").Index(i).Child("from", "name"), t.From.Name, err.Error()))
		}
	}
	if len(errs) > 0 {
		return warnings, apierrors.NewInvalid(imagev1.GroupVersion.WithKind("ImageStream").GroupKind(), is.Name, errs)
	}
	return warnings, nil
}

// checkRegistry applies the registry policy to a pull spec's registry.
func (v *ImageStreamValidator) checkRegistry(ref reference.DockerImageReference) error {
	return checkRegistry(v.Policy, ref)
}

// checkRegistry applies policy to the registry of ref (docker.io when it names none).
func checkRegistry(policy *registry.Policy, ref reference.DockerImageReference) error {
	err := policy.Check(ref.DockerClientDefaults().Registry)
	var regErr *registry.Error
	if errors.As(err, &regErr) {
		return errors.New(regErr.Message)
	}
	return err
}

// tagChanged reports whether spec tag t is new or points elsewhere than in old.
func tagChanged(old *imagev1.ImageStream, t imagev1.TagReference) bool {
	if old == nil {
		return true
	}
	for _, o := range old.Spec.Tags {
		if o.Name == t.Name {
			return o.From == nil || *o.From != *t.From
		}
	}
	return true
}
