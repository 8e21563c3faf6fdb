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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/reference"
	"github.com/imagestreams/imagestream-operator/internal/registry"
)

// +kubebuilder:webhook:path=/validate-image-imagestreams-io-v1-imagestreamimport,mutating=false,failurePolicy=fail,sideEffects=None,groups=image.imagestreams.io,resources=imagestreamimports,verbs=create,versions=v1,name=vimagestreamimport-v1.image.imagestreams.io,admissionReviewVersions=v1

// ImageStreamImportValidator checks import requests with OpenShift's rules: pull specs and
// repositories parse, the registry policy allows them, and a request that writes the stream
// (spec.import true) comes from a user who may update image streams in the namespace.
type ImageStreamImportValidator struct {
	Access AccessChecker
	// Policy is the import registry policy; nil refuses only link-local and metadata addresses.
	Policy *registry.Policy
}

// SetupImageStreamImportWebhookWithManager registers the ImageStreamImport validating webhook.
func SetupImageStreamImportWebhookWithManager(mgr ctrl.Manager, v *ImageStreamImportValidator) error {
	return ctrl.NewWebhookManagedBy(mgr, &imagev1.ImageStreamImport{}).WithValidator(v).Complete()
}

// ValidateCreate validates a new import request.
func (v *ImageStreamImportValidator) ValidateCreate(ctx context.Context, isi *imagev1.ImageStreamImport) (admission.Warnings, error) {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	for i, img := range isi.Spec.Images {
		name := spec.Child("images").Index(i).Child("from", "name")
		ref, err := reference.Parse(img.From.Name)
		if err != nil {
			errs = append(errs, field.Invalid(name, img.From.Name, err.Error()))
			continue
		}
		if err := checkRegistry(v.Policy, ref); err != nil {
			errs = append(errs, field.Forbidden(name, err.Error()))
		}
	}
	if repo := isi.Spec.Repository; repo != nil {
		name := spec.Child("repository", "from", "name")
		ref, err := reference.Parse(repo.From.Name)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(name, repo.From.Name, err.Error()))
		case ref.Tag != "" || ref.ID != "":
			errs = append(errs, field.Invalid(name, repo.From.Name, "you must specify an image repository, not a tag or ID"))
		default:
			if err := checkRegistry(v.Policy, ref); err != nil {
				errs = append(errs, field.Forbidden(name, err.Error()))
			}
		}
	}
	if isi.Spec.Import && len(errs) == 0 {
		if err := v.Access.CheckStreamWrite(ctx, requestUser(ctx), isi.Namespace, spec.Child("import")); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, apierrors.NewInvalid(imagev1.GroupVersion.WithKind("ImageStreamImport").GroupKind(), isi.Name, errs)
	}
	return nil, nil
}

// ValidateUpdate allows updates: the CRD makes spec immutable, and status is the operator's.
func (v *ImageStreamImportValidator) ValidateUpdate(context.Context, *imagev1.ImageStreamImport, *imagev1.ImageStreamImport) (admission.Warnings, error) {
	return nil, nil
}

// ValidateDelete allows every deletion.
func (v *ImageStreamImportValidator) ValidateDelete(context.Context, *imagev1.ImageStreamImport) (admission.Warnings, error) {
	return nil, nil
}
