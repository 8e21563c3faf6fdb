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

package notification

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
)

// The receiver reads and writes image streams: the cache and the index need list and
// watch, a push patches the stream's annotations or creates it, a token Secret is read.
// +kubebuilder:rbac:groups=image.imagestreams.io,resources=imagestreams,verbs=get;list;watch;create;patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get

// errTooManyPending is a push refused because too many pushes of its stream wait.
var errTooManyPending = errors.New("too many pushed tags waiting")

// applyResult counts what a notification led to.
type applyResult struct {
	Recorded, Reimports, Ignored int
}

// streamNamePattern is the ImageStream name rule of the CRD.
var streamNamePattern = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// StreamOf returns the stream that a repository of the integrated registry belongs to:
// `<namespace>/<name>`, when both are valid names.
func StreamOf(repository string) (types.NamespacedName, bool) {
	namespace, name, ok := strings.Cut(repository, "/")
	if !ok || strings.Contains(name, "/") || len(validation.IsDNS1123Label(namespace)) > 0 ||
		len(name) > 63 || !streamNamePattern.MatchString(name) {
		return types.NamespacedName{}, false
	}
	return types.NamespacedName{Namespace: namespace, Name: name}, true
}

// fromIntegratedRegistry reports whether a push was addressed to one of the registry
// hostnames.
func fromIntegratedRegistry(p Push, hostnames []string) bool {
	for _, h := range p.Hosts {
		for _, name := range hostnames {
			if name != "" && sameHost(h, name) {
				return true
			}
		}
	}
	return false
}

// sameHost compares host names case-insensitively, port 443 being the default.
func sameHost(a, b string) bool {
	norm := func(h string) string { return strings.TrimSuffix(strings.ToLower(h), ":443") }
	return norm(a) == norm(b)
}

// applyPushes records each push by tag to the integrated registry in its stream, and asks
// the streams whose spec tags import from the pushed repository to re-import.
func (r *Receiver) applyPushes(ctx context.Context, pushes []Push) (applyResult, error) {
	var result applyResult
	var changes []RepositoryChange
	for _, p := range pushes {
		if !fromIntegratedRegistry(p, r.Options.RegistryHostnames) {
			r.Log.V(1).Info("Ignored a push to another registry", "hosts", p.Hosts, "repository", p.Repository,
				"registryHostnames", r.Options.RegistryHostnames)
			actions.WithLabelValues("ignored").Inc()
			result.Ignored++
			continue
		}
		for _, h := range r.Options.RegistryHostnames {
			if c := (RepositoryChange{Registry: h, Repository: p.Repository}); h != "" && !slices.Contains(changes, c) {
				changes = append(changes, c)
			}
		}
		key, ok := StreamOf(p.Repository)
		if !ok {
			r.Log.V(1).Info("Ignored a push to a repository that names no image stream (not <namespace>/<name>)",
				"repository", p.Repository)
			actions.WithLabelValues("ignored").Inc()
			result.Ignored++
			continue
		}
		recorded, err := r.recordPush(ctx, key, p)
		if err != nil {
			return result, err
		}
		if recorded {
			result.Recorded++
		} else {
			result.Ignored++
		}
	}
	reimports, err := r.applyChanges(ctx, changes)
	result.Reimports += reimports.Reimports
	return result, err
}

// recordPush adds the pushed tag to the stream's imagev1.PushedTagsAnnotation, creating the
// stream when it is missing and CreateStreams is set. It reports false when there was nothing to
// record: no stream, or one that shows the push already.
func (r *Receiver) recordPush(ctx context.Context, key types.NamespacedName, p Push) (bool, error) {
	log := r.Log.WithValues("stream", key, "tag", p.Tag, "digest", p.Digest)
	var reader client.Reader = r.Client // the cache first; after a conflict, the API server
	recorded := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		recorded = false
		is := &imagev1.ImageStream{}
		err := reader.Get(ctx, key, is)
		reader = r.APIReader
		switch {
		case apierrors.IsNotFound(err):
			if !r.Options.CreateStreams {
				log.V(1).Info("Ignored a push: no such image stream, and --create-streams-on-push is off")
				actions.WithLabelValues("ignored").Inc()
				return nil
			}
			return r.createStream(ctx, key, p, &recorded)
		case err != nil:
			return fmt.Errorf("reading image stream %s: %w", key, err)
		case !is.DeletionTimestamp.IsZero():
			log.V(1).Info("Ignored a push: the image stream is being deleted")
			actions.WithLabelValues("ignored").Inc()
			return nil
		}
		value, changed, err := imagestream.RecordPush(is, p.Tag, p.Digest, r.Options.MaxPendingPushes)
		if err != nil {
			return fmt.Errorf("%w: %v", errTooManyPending, err)
		}
		if !changed {
			actions.WithLabelValues("push_known").Inc()
			return nil
		}
		patch := client.MergeFromWithOptions(is.DeepCopy(), client.MergeFromWithOptimisticLock{})
		if value == "" {
			delete(is.Annotations, imagev1.PushedTagsAnnotation)
		} else {
			if is.Annotations == nil {
				is.Annotations = map[string]string{}
			}
			is.Annotations[imagev1.PushedTagsAnnotation] = value
		}
		if err := r.Client.Patch(ctx, is, patch); err != nil {
			return err
		}
		recorded = value != ""
		if recorded {
			log.Info("Recorded a push to the integrated registry")
			actions.WithLabelValues("push_recorded").Inc()
		}
		return nil
	})
	if err != nil && !errors.Is(err, errTooManyPending) {
		err = fmt.Errorf("recording the push of %s:%s: %w", key, p.Tag, err)
	}
	return recorded, err
}

// createStream creates the stream of a push with the pushed tag in its annotation. A
// missing namespace is not an error: the push is ignored.
func (r *Receiver) createStream(ctx context.Context, key types.NamespacedName, p Push, recorded *bool) error {
	is := &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
	value, _, err := imagestream.RecordPush(is, p.Tag, p.Digest, r.Options.MaxPendingPushes)
	if err != nil {
		return err
	}
	is.Annotations = map[string]string{imagev1.PushedTagsAnnotation: value}
	err = r.Client.Create(ctx, is)
	switch {
	case apierrors.IsAlreadyExists(err):
		// Created meanwhile (another push, another replica): record in it.
		return apierrors.NewConflict(imagev1.GroupVersion.WithResource("imagestreams").GroupResource(), key.Name, err)
	case apierrors.IsNotFound(err), apierrors.IsForbidden(err):
		r.Log.Info("Ignored a push: the image stream cannot be created", "stream", key, "reason", err.Error())
		actions.WithLabelValues("ignored").Inc()
		return nil
	case err != nil:
		return fmt.Errorf("creating image stream %s: %w", key, err)
	}
	*recorded = true
	r.Log.Info("Created an image stream for a push to the integrated registry", "stream", key, "tag", p.Tag, "digest", p.Digest)
	actions.WithLabelValues("stream_created").Inc()
	return nil
}

// applyChanges asks every stream whose spec tags (or spec.dockerImageRepository) import
// from one of the repositories to re-import, with the import-requested-at annotation.
func (r *Receiver) applyChanges(ctx context.Context, changes []RepositoryChange) (applyResult, error) {
	var result applyResult
	seen := map[types.NamespacedName]bool{}
	for _, c := range changes {
		streams := &imagev1.ImageStreamList{}
		if err := r.Client.List(ctx, streams, client.MatchingFields{sourceRepositoryIndex: repositoryKey(c.Registry, c.Repository)}); err != nil {
			return result, fmt.Errorf("listing the image streams that import from %s: %w", c, err)
		}
		if len(streams.Items) == 0 {
			result.Ignored++
			r.Log.V(1).Info("No image stream imports from the repository", "repository", c.String())
		}
		for i := range streams.Items {
			is := &streams.Items[i]
			key := client.ObjectKeyFromObject(is)
			if seen[key] {
				continue
			}
			seen[key] = true
			requested, err := r.requestReimport(ctx, is)
			if err != nil {
				return result, err
			}
			if requested {
				result.Reimports++
			}
		}
	}
	return result, nil
}

// requestReimport sets the stream's import-requested-at annotation, unless a request is
// pending already (the reconciler has not observed it yet): notifications in a burst cost
// one re-import. It reports whether a request is pending now.
func (r *Receiver) requestReimport(ctx context.Context, is *imagev1.ImageStream) (bool, error) {
	if requested := is.Annotations[imagev1.ImportRequestedAtAnnotation]; requested != "" && requested != is.Status.ImportRequestObserved {
		actions.WithLabelValues("reimport_pending").Inc()
		return true, nil
	}
	patch := client.MergeFrom(is.DeepCopy())
	if is.Annotations == nil {
		is.Annotations = map[string]string{}
	}
	is.Annotations[imagev1.ImportRequestedAtAnnotation] = r.Clock.Now().UTC().Format(time.RFC3339Nano)
	if err := r.Client.Patch(ctx, is, patch); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("requesting a re-import of image stream %s: %w", klog.KObj(is), err)
	}
	r.Log.Info("Requested a re-import of an image stream", "stream", klog.KObj(is))
	actions.WithLabelValues("reimport_requested").Inc()
	return true, nil
}
