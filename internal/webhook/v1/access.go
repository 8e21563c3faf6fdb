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
	"fmt"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create

// AccessChecker answers whether the user of an admission request may read image streams in
// a namespace: a tenant may only point tags and triggers at streams it could read itself.
type AccessChecker struct {
	Client client.Client
}

// CheckStreamAccess returns a Forbidden error on path unless user may `get imagestreams` in
// namespace (a SubjectAccessReview with the request's user, groups, UID and extra).
func (a AccessChecker) CheckStreamAccess(ctx context.Context, user authenticationv1.UserInfo, namespace string, path *field.Path) *field.Error {
	return a.check(ctx, user, namespace, "get", path, "ask for read access to that namespace's image streams")
}

// CheckStreamWrite returns a Forbidden error on path unless user may `update imagestreams`
// in namespace: an ImageStreamImport with spec.import true writes the stream through the
// operator, which must not let a user change what they could not change themselves.
func (a AccessChecker) CheckStreamWrite(ctx context.Context, user authenticationv1.UserInfo, namespace string, path *field.Path) *field.Error {
	return a.check(ctx, user, namespace, "update", path, "set spec.import to false for a dry run, or ask for write access to the image streams")
}

// check runs a SubjectAccessReview for verb on imagestreams in namespace.
func (a AccessChecker) check(ctx context.Context, user authenticationv1.UserInfo, namespace, verb string, path *field.Path, fix string) *field.Error {
	extra := make(map[string]authorizationv1.ExtraValue, len(user.Extra))
	for k, v := range user.Extra {
		extra[k] = authorizationv1.ExtraValue(v)
	}
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: user.Username, Groups: user.Groups, UID: user.UID, Extra: extra,
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: namespace, Verb: verb, Group: imagev1.GroupVersion.Group, Resource: "imagestreams",
		},
	}}
	if err := a.Client.Create(ctx, sar); err != nil {
		return field.InternalError(path, fmt.Errorf("checking access to image streams in namespace %q: %w", namespace, err))
	}
	if sar.Status.Allowed {
		return nil
	}
	detail := fmt.Sprintf("user %q may not %s imagestreams.%s in namespace %q; %s",
		user.Username, verb, imagev1.GroupVersion.Group, namespace, fix)
	return field.Forbidden(path, detail)
}

// requestUser returns the user of the admission request in ctx.
func requestUser(ctx context.Context) authenticationv1.UserInfo {
	req, err := admission.RequestFromContext(ctx)
	if err != nil {
		return authenticationv1.UserInfo{}
	}
	return req.UserInfo
}
