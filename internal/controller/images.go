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
	"slices"

	"github.com/google/go-containerregistry/pkg/authn"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// imageOwnerIndex indexes Image metadata by the UIDs of the image streams that own them.
const imageOwnerIndex = "metadata.ownerReferences.imageStreamUID"

// imageStore reads and writes the Image objects and pull secrets of namespaces for the
// reconcilers.
type imageStore struct {
	client client.Client
	// apiReader reads pull secrets straight from the API server, so that secret data is
	// never cached in the operator's memory.
	apiReader client.Reader
}

// imageMetadata returns an empty metadata-only Image: the reconcilers cache Images as
// metadata, never their content.
func imageMetadata() *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{
		APIVersion: imagev1.GroupVersion.String(), Kind: "Image",
	}}
}

// indexImageOwners registers imageOwnerIndex.
func indexImageOwners(ctx context.Context, mgr ctrl.Manager) error {
	return mgr.GetFieldIndexer().IndexField(ctx, imageMetadata(), imageOwnerIndex, func(o client.Object) []string {
		var uids []string
		for _, ref := range o.GetOwnerReferences() {
			if ref.Kind == "ImageStream" {
				uids = append(uids, string(ref.UID))
			}
		}
		return uids
	})
}

// imageExists reports whether the namespace holds the Image of digest (from the cache).
func (s imageStore) imageExists(ctx context.Context, namespace, digest string) bool {
	name, err := reference.DigestName(digest)
	if err != nil {
		return false
	}
	return s.client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, imageMetadata()) == nil
}

// readImage reads a whole Image from the API server (Images are cached as metadata only).
func (s imageStore) readImage(ctx context.Context, namespace, digest string) (*imagev1.Image, error) {
	name, err := reference.DigestName(digest)
	if err != nil {
		return nil, err
	}
	img := &imagev1.Image{}
	if err := s.apiReader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, img); err != nil {
		return nil, fmt.Errorf("reading image %s/%s: %w", namespace, name, err)
	}
	return img, nil
}

// keychain returns the credentials of the namespace's pull secrets.
func (s imageStore) keychain(ctx context.Context, namespace string) (authn.Keychain, error) {
	return pullSecrets(ctx, s.apiReader, namespace)
}

// syncImages makes the stream own exactly the Images its history references: it creates
// the Images it fetched, adds itself as an owner of existing ones, and lets go of the rest
// (deleting an Image nobody owns any more). Sub-manifest Images of a manifest list are owned
// by the list's Image, so they go with it.
func (s imageStore) syncImages(ctx context.Context, is *imagev1.ImageStream, fetched map[string]imagev1.ImageData, referenced map[string]bool) error {
	owner := metav1.OwnerReference{
		APIVersion: imagev1.GroupVersion.String(), Kind: "ImageStream", Name: is.Name, UID: is.UID,
	}
	for digest := range referenced {
		if err := s.ensureImage(ctx, is.Namespace, digest, fetched, owner); err != nil {
			return err
		}
	}
	owned := &metav1.PartialObjectMetadataList{TypeMeta: metav1.TypeMeta{APIVersion: imagev1.GroupVersion.String(), Kind: "ImageList"}}
	if err := s.client.List(ctx, owned, client.InNamespace(is.Namespace), client.MatchingFields{imageOwnerIndex: string(is.UID)}); err != nil {
		return fmt.Errorf("listing images owned by %s: %w", klog.KObj(is), err)
	}
	for i := range owned.Items {
		img := &owned.Items[i]
		if digest, err := reference.DigestFromName(img.Name); err == nil && referenced[digest] {
			continue
		}
		if err := s.releaseImage(ctx, img, is.UID); err != nil {
			return err
		}
	}
	return nil
}

// ensureImage creates the Image of digest from fetched metadata, or adds owner to an
// existing one. An Image that neither exists nor was fetched is left alone: the stream's
// history still names it, and the next import of that digest creates it.
func (s imageStore) ensureImage(ctx context.Context, namespace, digest string, fetched map[string]imagev1.ImageData, owner metav1.OwnerReference) error {
	name, err := reference.DigestName(digest)
	if err != nil {
		return nil
	}
	existing := imageMetadata()
	err = s.client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, existing)
	switch {
	case err == nil:
		return s.addOwner(ctx, existing, owner)
	case !apierrors.IsNotFound(err):
		return fmt.Errorf("reading image %s/%s: %w", namespace, name, err)
	}
	data, ok := fetched[digest]
	if !ok {
		logf.FromContext(ctx).V(1).Info("Image of a history item is missing", "image", name)
		return nil
	}
	img := &imagev1.Image{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, OwnerReferences: []metav1.OwnerReference{owner}},
		ImageData:  data,
	}
	if err := s.client.Create(ctx, img); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return s.ensureImage(ctx, namespace, digest, nil, owner)
		}
		return fmt.Errorf("creating image %s/%s: %w", namespace, name, err)
	}
	listOwner := metav1.OwnerReference{APIVersion: imagev1.GroupVersion.String(), Kind: "Image", Name: img.Name, UID: img.UID}
	for _, m := range data.DockerImageManifests {
		if err := s.ensureImage(ctx, namespace, m.Digest, fetched, listOwner); err != nil {
			return err
		}
	}
	return nil
}

// addOwner adds owner to an Image's owner references, if missing.
func (s imageStore) addOwner(ctx context.Context, img *metav1.PartialObjectMetadata, owner metav1.OwnerReference) error {
	if slices.ContainsFunc(img.OwnerReferences, func(o metav1.OwnerReference) bool { return o.UID == owner.UID }) {
		return nil
	}
	patch := client.MergeFromWithOptions(img.DeepCopy(), client.MergeFromWithOptimisticLock{})
	img.OwnerReferences = append(img.OwnerReferences, owner)
	if err := s.client.Patch(ctx, img, patch); err != nil {
		return fmt.Errorf("adding owner %s to image %s: %w", owner.Name, klog.KObj(img), err)
	}
	return nil
}

// releaseImage removes the stream from an Image's owners, deleting the Image when no owner
// is left.
func (s imageStore) releaseImage(ctx context.Context, img *metav1.PartialObjectMetadata, stream types.UID) error {
	owners := slices.DeleteFunc(slices.Clone(img.OwnerReferences), func(o metav1.OwnerReference) bool { return o.UID == stream })
	if len(owners) == 0 {
		if err := s.client.Delete(ctx, img, client.Preconditions{ResourceVersion: &img.ResourceVersion}); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("deleting image %s: %w", klog.KObj(img), err)
		}
		return nil
	}
	patch := client.MergeFromWithOptions(img.DeepCopy(), client.MergeFromWithOptimisticLock{})
	img.OwnerReferences = owners
	if err := s.client.Patch(ctx, img, patch); err != nil {
		return fmt.Errorf("releasing image %s: %w", klog.KObj(img), err)
	}
	return nil
}
