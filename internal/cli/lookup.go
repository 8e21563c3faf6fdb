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

package cli

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// Group resources of the virtual kinds, for NotFound errors worded like the API server's.
var (
	imageStreamTagsResource   = schema.GroupResource{Group: imagev1.GroupVersion.Group, Resource: "imagestreamtags"}
	imageStreamImagesResource = schema.GroupResource{Group: imagev1.GroupVersion.Group, Resource: "imagestreamimages"}
)

// getStream reads an image stream.
func getStream(ctx context.Context, c client.Client, namespace, name string) (*imagev1.ImageStream, error) {
	is := &imagev1.ImageStream{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, is); err != nil {
		return nil, err
	}
	return is, nil
}

// getImage reads the Image of digest in namespace; nil when it does not exist (yet).
func getImage(ctx context.Context, c client.Client, namespace, digest string) (*imagev1.Image, error) {
	name, err := reference.DigestName(digest)
	if err != nil {
		return nil, nil //nolint:nilerr // an image ID that is no digest has no Image object
	}
	img := &imagev1.Image{}
	if err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, img); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading image %s: %w", digest, err)
	}
	return img, nil
}

// splitTagName splits `<stream>[:<tag>]`, the tag defaulting to latest.
func splitTagName(name string) (stream, tag string, err error) {
	if _, _, err := reference.ParseImageStreamTagName(name); err == nil {
		return reference.ParseImageStreamTagName(name)
	}
	if _, _, err := reference.ParseImageStreamTagName(name + ":latest"); err == nil {
		return name, "latest", nil
	}
	return reference.ParseImageStreamTagName(name)
}

// getImageStreamTag builds the ImageStreamTag `<stream>[:<tag>]`.
func getImageStreamTag(ctx context.Context, c client.Client, namespace, name string) (*ImageStreamTag, *imagev1.ImageStream, error) {
	streamName, tag, err := splitTagName(name)
	if err != nil {
		return nil, nil, err
	}
	is, err := getStream(ctx, c, namespace, streamName)
	if err != nil {
		return nil, nil, err
	}
	event := imagestream.LatestEvent(&is.Status, tag)
	if event == nil || event.Image == "" {
		return nil, is, apierrors.NewNotFound(imageStreamTagsResource, streamName+":"+tag)
	}
	img, err := getImage(ctx, c, namespace, event.Image)
	if err != nil {
		return nil, is, err
	}
	ist, _ := newImageStreamTag(is, tag, img)
	return ist, is, nil
}

// getImageStreamImage builds the ImageStreamImage `<stream>@<id>`; id is a digest or a
// unique prefix of one, found in the stream's history or among the sub-manifests of its
// manifest lists.
func getImageStreamImage(ctx context.Context, c client.Client, namespace, name string) (*ImageStreamImage, error) {
	streamName, id, err := reference.ParseImageStreamImageName(name)
	if err != nil {
		return nil, err
	}
	is, err := getStream(ctx, c, namespace, streamName)
	if err != nil {
		return nil, err
	}
	event, resolveErr := imagestream.ResolveImageID(&is.Status, id)
	if resolveErr == nil {
		img, err := getImage(ctx, c, namespace, event.Image)
		if err != nil {
			return nil, err
		}
		return newImageStreamImage(is, event, img), nil
	}
	// A sub-manifest of a manifest list in the stream.
	for digest := range imagestream.ReferencedImages(&is.Status) {
		list, err := getImage(ctx, c, namespace, digest)
		if err != nil || list == nil {
			continue
		}
		for _, m := range list.DockerImageManifests {
			if m.Digest != id {
				continue
			}
			child, err := getImage(ctx, c, namespace, m.Digest)
			if err != nil {
				return nil, err
			}
			ref, _ := reference.Parse(list.DockerImageReference)
			ref.ID, ref.Tag = m.Digest, ""
			event := imagev1.TagEvent{Image: m.Digest, DockerImageReference: ref.Exact()}
			return newImageStreamImage(is, event, child), nil
		}
	}
	if strings.HasPrefix(resolveErr.Error(), "multiple images") {
		return nil, fmt.Errorf("image stream image %s: %w", name, resolveErr)
	}
	return nil, apierrors.NewNotFound(imageStreamImagesResource, name)
}
