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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// sourceStreamIndex indexes image streams by the `<namespace>/<name>` of the other streams
// their ImageStreamTag and ImageStreamImage tags copy from.
const sourceStreamIndex = "spec.tags.from.sourceStream"

// ReasonInvalidReference is the ImportSuccess=False reason of a tag whose reference cannot
// be resolved: a self reference, a cycle of tracking tags, or an unknown image ID.
const ReasonInvalidReference = "InvalidReference"

// copySource is the stream and the tag or image ID a copied spec tag points to.
type copySource struct {
	key   types.NamespacedName
	tag   string // ImageStreamTag
	image string // ImageStreamImage
}

// sourceOf returns where spec tag t copies from, or false when t is no copy (a DockerImage
// tag, a tracking tag) or its name does not parse.
func sourceOf(is *imagev1.ImageStream, t imagev1.TagReference) (copySource, bool) {
	if t.From == nil {
		return copySource{}, false
	}
	src := copySource{key: types.NamespacedName{Namespace: t.From.Namespace, Name: is.Name}}
	if src.key.Namespace == "" {
		src.key.Namespace = is.Namespace
	}
	switch t.From.Kind {
	case imagev1.ImageStreamTagKind:
		if _, tracking := imagestream.TrackedTag(is, t); tracking {
			return copySource{}, false
		}
		stream, tag, err := reference.SplitTagReference(t.From.Name)
		if err != nil || stream == "" {
			return copySource{}, false
		}
		src.key.Name, src.tag = stream, tag
	case imagev1.ImageStreamImageKind:
		stream, id, err := reference.SplitImageReference(t.From.Name)
		if err != nil {
			return copySource{}, false
		}
		if stream != "" {
			src.key.Name = stream
		}
		src.image = id
	default:
		return copySource{}, false
	}
	return src, true
}

// resolveReferences updates the ImageStreamTag and ImageStreamImage tags of the stream:
// copies from other streams (once per change of the reference, waiting for a source that
// has no image yet) and then tracking tags, which always show their target's image. It
// returns the tags still waiting for their source.
func (r *ImageStreamReconciler) resolveReferences(ctx context.Context, is *imagev1.ImageStream, status *imagev1.ImageStreamStatus, run *importRun, now metav1.Time) ([]string, error) {
	var waiting []string
	for _, t := range is.Spec.Tags {
		src, ok := sourceOf(is, t)
		if !ok {
			continue
		}
		if current := imagestream.StatusTag(status, t.Name); current != nil && len(current.Items) > 0 &&
			current.CopiedFrom != nil && sameReference(*current.CopiedFrom, *t.From, is.Namespace) {
			continue
		}
		event, found, err := r.sourceEvent(ctx, is, status, src)
		if err != nil {
			if apierrors.IsNotFound(err) || !found {
				imagestream.SetImportFailure(status, t.Name, ReasonInvalidReference, err.Error(), is.Generation, now)
				continue
			}
			return nil, err
		}
		if !found {
			waiting = append(waiting, t.Name)
			continue
		}
		if src.key.Namespace != is.Namespace && event.Image != "" {
			if err := run.copyImage(src.key.Namespace, event.Image); err != nil {
				return nil, err
			}
		}
		imagestream.AddTagEvent(status, t.Name, imagev1.TagEvent{
			Created: now, DockerImageReference: event.DockerImageReference, Image: event.Image, Generation: is.Generation,
		})
		from := *t.From
		from.Namespace = src.key.Namespace
		imagestream.StatusTag(status, t.Name).CopiedFrom = &from
	}

	targets, errs := imagestream.ResolveTracking(is)
	for tag, err := range errs {
		imagestream.SetImportFailure(status, tag, ReasonInvalidReference, err.Error(), is.Generation, now)
	}
	for tag, target := range targets {
		event := imagestream.LatestEvent(status, target)
		if event == nil {
			waiting = append(waiting, tag)
			continue
		}
		imagestream.AddTagEvent(status, tag, imagev1.TagEvent{
			Created: now, DockerImageReference: event.DockerImageReference, Image: event.Image, Generation: is.Generation,
		})
	}
	return waiting, nil
}

// sourceEvent returns the event a copy takes: the current event of the source tag, or the
// event of the source image. found is false when the source has no image yet (wait for
// it); an error with found false is a reference that will not resolve by waiting.
func (r *ImageStreamReconciler) sourceEvent(ctx context.Context, is *imagev1.ImageStream, status *imagev1.ImageStreamStatus, src copySource) (imagev1.TagEvent, bool, error) {
	sourceStatus := status
	if src.key != client.ObjectKeyFromObject(is) {
		source := &imagev1.ImageStream{}
		if err := r.Get(ctx, src.key, source); err != nil {
			if apierrors.IsNotFound(err) {
				return imagev1.TagEvent{}, false, nil
			}
			return imagev1.TagEvent{}, true, fmt.Errorf("reading source image stream %s: %w", src.key, err)
		}
		sourceStatus = &source.Status
	}
	if src.tag != "" {
		if e := imagestream.LatestEvent(sourceStatus, src.tag); e != nil {
			return *e, true, nil
		}
		return imagev1.TagEvent{}, false, nil
	}
	e, err := imagestream.ResolveImageID(sourceStatus, src.image)
	if err != nil {
		return imagev1.TagEvent{}, false, fmt.Errorf("image stream %s: %w", src.key, err)
	}
	return e, true, nil
}

// sameReference compares two from references, an empty namespace meaning ns.
func sameReference(a, b imagev1.ObjectReference, ns string) bool {
	if a.Namespace == "" {
		a.Namespace = ns
	}
	if b.Namespace == "" {
		b.Namespace = ns
	}
	return a == b
}

// indexSourceStreams registers sourceStreamIndex.
func indexSourceStreams(ctx context.Context, mgr ctrl.Manager) error {
	return mgr.GetFieldIndexer().IndexField(ctx, &imagev1.ImageStream{}, sourceStreamIndex, func(o client.Object) []string {
		is := o.(*imagev1.ImageStream)
		var sources []string
		for _, t := range is.Spec.Tags {
			if src, ok := sourceOf(is, t); ok && src.key != client.ObjectKeyFromObject(is) {
				sources = append(sources, src.key.String())
			}
		}
		return sources
	})
}

// streamsCopyingFrom maps a stream to the streams that copy from it, so that a copy waiting
// for its source's first image happens as soon as the source has one.
func (r *ImageStreamReconciler) streamsCopyingFrom(ctx context.Context, obj client.Object) []reconcile.Request {
	streams := &imagev1.ImageStreamList{}
	if err := r.List(ctx, streams, client.MatchingFields{sourceStreamIndex: client.ObjectKeyFromObject(obj).String()}); err != nil {
		return nil
	}
	requests := make([]reconcile.Request, 0, len(streams.Items))
	for _, is := range streams.Items {
		requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&is)})
	}
	return requests
}
