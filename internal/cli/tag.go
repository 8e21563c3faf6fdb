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
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
)

const tagLong = `Tag existing images into image streams.

The tag command lets a tag of an image stream point to a container image in a registry, to
the current image of another tag, or to an image of a stream by ID. SOURCE is:

  - a pull spec with a registry (docker.io/python:3.12): the operator imports it;
  - <stream>:<tag>, or <namespace>/<stream>:<tag>: the image that tag points to now is
    copied (the destination does not follow later changes); with --alias the destination
    tracks the source tag of the same stream instead;
  - <stream>@<id>: that image of the stream (roll back to an older image this way).

Use --source to say what SOURCE is when the guess above is wrong. The image stream of each
DEST is created if it does not exist. -d deletes tags (spec and history).`

const tagExample = `  # Tag the current image of python:3.12 as python:latest
  kubectl imagestream tag python:3.12 python:latest

  # Make python:latest track python:3.12 (it follows python:3.12 from now on)
  kubectl imagestream tag python:3.12 python:latest --alias

  # Point python:3.12 at an image in a registry, re-imported every 15 minutes
  kubectl imagestream tag docker.io/python:3.12 python:3.12 --scheduled

  # Only record the pull spec, do not import it
  kubectl imagestream tag docker.io/python:3.12 python:3.12 --reference

  # Import all images of a manifest list, not only the cluster's platform
  kubectl imagestream tag quay.io/org/app:v1 app:v1 --import-mode=PreserveOriginal

  # Roll python:latest back to an image of its history
  kubectl imagestream tag python@sha256:4bd2... python:latest

  # Delete the tag python:3.11
  kubectl imagestream tag -d python:3.11`

func newTagCommand(o *Options) *cobra.Command {
	f := tagFlags{referencePolicy: "source"}
	cmd := &cobra.Command{
		Use:     "tag [--source=SOURCETYPE] SOURCE DEST [DEST ...]",
		Short:   "Tag existing images into image streams",
		Long:    tagLong,
		Example: tagExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 && (len(args) < 1 || !f.delete) {
				return usageError(cmd, "you must specify a source and at least one destination or one or more tags to delete")
			}
			return runTag(cmd.Context(), o, f, args)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&f.sourceKind, "source", f.sourceKind, "Optional hint for the source type; valid values are 'imagestreamtag', 'istag', 'imagestreamimage', 'isimage', and 'docker'.")
	flags.BoolVarP(&f.delete, "delete", "d", f.delete, "Delete the provided spec tags.")
	flags.BoolVar(&f.alias, "alias", f.alias, "Should the destination tag be updated whenever the source tag changes. Applies only to a single image stream. Defaults to false.")
	flags.BoolVar(&f.reference, "reference", f.reference, "Should the destination tag continue to pull from the source namespace. Defaults to false.")
	flags.BoolVar(&f.scheduled, "scheduled", f.scheduled, "Set a container image to be periodically imported from a remote repository. Defaults to false.")
	flags.BoolVar(&f.insecure, "insecure", f.insecure, "Set to true if importing the specified container image requires HTTP or has a self-signed certificate. Defaults to false.")
	flags.StringVar(&f.referencePolicy, "reference-policy", f.referencePolicy, "Allow to request pullthrough for external image when set to 'local'. Defaults to 'source'.")
	flags.StringVar(&f.importMode, "import-mode", f.importMode, "Imports the full manifest list of a tag when set to 'PreserveOriginal'. Defaults to 'Legacy'.")
	return cmd
}

// usageError is a usage error the way kubectl words it.
func usageError(cmd *cobra.Command, msg string) error {
	return fmt.Errorf("%s\nSee '%s -h' for help and examples", msg, cmd.CommandPath())
}

func runTag(ctx context.Context, o *Options, f tagFlags, args []string) error {
	if _, err := parseReferencePolicy(f.referencePolicy, true); err != nil {
		return err
	}
	if _, err := parseImportMode(f.importMode); err != nil {
		return err
	}
	kind, err := parseSourceKind(f.sourceKind)
	if err != nil {
		return err
	}
	c, namespace, err := o.client()
	if err != nil {
		return err
	}
	var source tagSourceRef
	sourceArg := args[0]
	if !f.delete {
		if source, err = parseTagSource(sourceArg, kind); err != nil {
			return err
		}
		args = args[1:]
	}
	dests := make([]tagDestination, 0, len(args))
	for _, arg := range args {
		d, err := parseDestination(namespace, arg)
		if err != nil {
			return err
		}
		dests = append(dests, d)
	}
	if err := f.validate(source, namespace, dests); err != nil {
		return err
	}
	if !f.delete && source.kind == imagev1.ImageStreamTagKind && !f.alias {
		if source, err = dereference(ctx, c, namespace, source, sourceArg); err != nil {
			return err
		}
	}
	for _, d := range dests {
		if f.delete {
			if err := deleteTag(ctx, c, d); err != nil {
				return err
			}
			fmt.Fprintf(o.Out, "Deleted tag %s/%s.\n", d.namespace, d)
			continue
		}
		if err := validateTagName(d.tag); err != nil {
			return err
		}
		if err := setTag(ctx, c, f, source, d, namespace, o.Now()); err != nil {
			return err
		}
		fmt.Fprintln(o.Out, tagMessage(f, source, d, namespace))
	}
	return nil
}

// dereference turns an image stream tag source into what it points to now: the image of
// the stream by digest, or the pull spec of a tag that has no image.
func dereference(ctx context.Context, c client.Client, namespace string, source tagSourceRef, arg string) (tagSourceRef, error) {
	ns := source.ref.Namespace
	if ns == "" {
		ns = namespace
	}
	is, err := getStream(ctx, c, ns, source.ref.Name)
	if err != nil {
		return source, err
	}
	event := imagestream.LatestEvent(&is.Status, source.ref.Tag)
	if event == nil {
		return source, fmt.Errorf("%q is not currently pointing to an image, cannot use it as the source of a tag", arg)
	}
	if event.Image == "" {
		ref, err := parseTagSource(event.DockerImageReference, imagev1.DockerImageKind)
		if err != nil {
			return source, fmt.Errorf("the image stream tag %q has an invalid pull spec and cannot be used to tag: %w", arg, err)
		}
		return ref, nil
	}
	source.kind = imagev1.ImageStreamImageKind
	source.ref.ID, source.ref.Tag = event.Image, ""
	return source, nil
}

// retryable are the errors after which a read-modify-write of a stream starts again.
func retryable(err error) bool {
	return apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err)
}

// setTag writes the spec tag of dest, creating the stream if it is missing. Tagging a
// container image whose spec tag does not change asks for a re-import, as oc does.
func setTag(ctx context.Context, c client.Client, f tagFlags, source tagSourceRef, d tagDestination, currentNamespace string, now time.Time) error {
	return retry.OnError(retry.DefaultRetry, retryable, func() error {
		is, err := getStream(ctx, c, d.namespace, d.stream)
		if apierrors.IsNotFound(err) {
			is = &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: d.namespace, Name: d.stream}}
		} else if err != nil {
			return err
		}
		existing := specTag(is, d.tag)
		t, err := tagReference(f, source, d, currentNamespace, existing)
		if err != nil {
			return err
		}
		switch {
		case existing == nil:
			is.Spec.Tags = append(is.Spec.Tags, t)
		case equality.Semantic.DeepEqual(*existing, t):
			if !imagestream.Importable(t) {
				return nil
			}
			if is.Annotations == nil {
				is.Annotations = map[string]string{}
			}
			is.Annotations[imagev1.ImportRequestedAtAnnotation] = now.UTC().Format(time.RFC3339Nano)
		default:
			*existing = t
		}
		if is.UID == "" {
			return c.Create(ctx, is)
		}
		return c.Update(ctx, is)
	})
}

// deleteTag removes tag dest from the spec and the history of its stream, like OpenShift's
// DELETE of an ImageStreamTag; NotFound when neither has it.
func deleteTag(ctx context.Context, c client.Client, d tagDestination) error {
	notFound := apierrors.NewNotFound(imageStreamTagsResource, d.String())
	found := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		is, err := getStream(ctx, c, d.namespace, d.stream)
		if apierrors.IsNotFound(err) {
			return notFound
		} else if err != nil {
			return err
		}
		inSpec := slices.ContainsFunc(is.Spec.Tags, func(t imagev1.TagReference) bool { return t.Name == d.tag })
		inStatus := imagestream.StatusTag(&is.Status, d.tag) != nil
		if !inSpec && !inStatus {
			if found {
				return nil
			}
			return notFound
		}
		found = true
		if inSpec {
			is.Spec.Tags = slices.DeleteFunc(is.Spec.Tags, func(t imagev1.TagReference) bool { return t.Name == d.tag })
			if err := c.Update(ctx, is); err != nil {
				return err
			}
		}
		if inStatus {
			patch := client.MergeFromWithOptions(is.DeepCopy(), client.MergeFromWithOptimisticLock{})
			is.Status.Tags = slices.DeleteFunc(is.Status.Tags, func(t imagev1.NamedTagEventList) bool { return t.Tag == d.tag })
			if err := c.Status().Patch(ctx, is, patch); err != nil {
				if apierrors.IsConflict(err) {
					return err
				}
				return fmt.Errorf("removing the history of %s/%s: %w", d.namespace, d, err)
			}
		}
		return nil
	})
	if errors.Is(err, notFound) {
		return notFound
	}
	return err
}
