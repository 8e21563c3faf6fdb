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
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/printers"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
)

const historyLong = `Show the history of an image stream tag: every image the tag pointed to, newest first.

REVISION 0 is the current image. Roll back to an older one with
"kubectl imagestream rollback NAME:TAG --to-revision=N".`

const historyExample = `  # Show the images python:latest pointed to
  kubectl imagestream history python:latest`

func newHistoryCommand(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "history NAME:TAG",
		Short:   "Show the image history of an image stream tag",
		Long:    historyLong,
		Example: historyExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			is, tag, err := streamOfTagArg(cmd, o, args)
			if err != nil {
				return err
			}
			h := imagestream.StatusTag(&is.Status, tag)
			if h == nil || len(h.Items) == 0 {
				return fmt.Errorf("image stream tag %s:%s has no history", is.Name, tag)
			}
			return printHistory(o.Out, h.Items, o.Now())
		},
	}
}

// printHistory prints a tag's history as a table, the current image first.
func printHistory(out io.Writer, items []imagev1.TagEvent, now time.Time) error {
	w := printers.GetNewTabWriter(out)
	fmt.Fprintln(w, "REVISION\tCREATED\tIMAGE\tPULL SPEC")
	for i, e := range items {
		image := e.Image
		if image == "" {
			image = none
		}
		current := ""
		if i == 0 {
			current = " (current)"
		}
		fmt.Fprintf(w, "%d%s\t%s\t%s\t%s\n", i, current, ago(now, e.Created.Time), image, e.DockerImageReference)
	}
	return w.Flush()
}

const rollbackLong = `Point an image stream tag back at an image of its history.

The chosen image becomes the tag's current image again (the newest history item); the
history keeps the images in between. This is what "oc tag NAME@<digest> NAME:TAG" does, and
that command works as well:

  kubectl imagestream tag python@sha256:<older digest> python:latest

Without --to-revision or --to-image, the tag goes back to the image before the current one
(revision 1). The tag then points to that image and no longer follows its former source:
tag it again from the registry or another tag to resume updates.`

const rollbackExample = `  # Go back to the previous image of python:latest
  kubectl imagestream rollback python:latest

  # Go back to revision 2 of "history python:latest"
  kubectl imagestream rollback python:latest --to-revision=2

  # Go back to an image by digest (or a unique prefix of it)
  kubectl imagestream rollback python:latest --to-image=sha256:49c18358df82`

func newRollbackCommand(o *Options) *cobra.Command {
	var revision int
	var image string
	cmd := &cobra.Command{
		Use:     "rollback NAME:TAG [--to-revision=N | --to-image=sha256:...]",
		Short:   "Point an image stream tag back at an older image",
		Long:    rollbackLong,
		Example: rollbackExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("to-revision") && image != "" {
				return errors.New("--to-revision and --to-image may not be both specified")
			}
			is, tag, err := streamOfTagArg(cmd, o, args)
			if err != nil {
				return err
			}
			streamName := is.Name
			digest, err := rollbackTarget(is, tag, revision, image)
			if err != nil {
				return err
			}
			return runTag(cmd.Context(), o, tagFlags{referencePolicy: rollbackPolicy(is, tag)},
				[]string{streamName + "@" + digest, streamName + ":" + tag})
		},
	}
	cmd.Flags().IntVar(&revision, "to-revision", 1, "The revision of the tag's history to go back to (see the history command); 0 is the current image.")
	cmd.Flags().StringVar(&image, "to-image", "", "The image of the tag's history to go back to: its digest or a unique prefix of it.")
	return cmd
}

// rollbackTarget picks the image of the tag's history to roll back to: the item at
// revision, or the one whose digest starts with image.
func rollbackTarget(is *imagev1.ImageStream, tag string, revision int, image string) (string, error) {
	h := imagestream.StatusTag(&is.Status, tag)
	if h == nil || len(h.Items) == 0 {
		return "", fmt.Errorf("image stream tag %s:%s has no history to roll back to", is.Name, tag)
	}
	if image != "" {
		e, err := imagestream.ResolveImageID(&imagev1.ImageStreamStatus{Tags: []imagev1.NamedTagEventList{*h}}, image)
		if err != nil {
			return "", fmt.Errorf("the history of %s:%s: %w", is.Name, tag, err)
		}
		return e.Image, nil
	}
	if revision < 0 || revision >= len(h.Items) {
		return "", fmt.Errorf("revision %d does not exist: %s:%s has revisions 0 to %d", revision, is.Name, tag, len(h.Items)-1)
	}
	e := h.Items[revision]
	if e.Image == "" {
		return "", fmt.Errorf("revision %d of %s:%s (%s) was never imported and has no image to roll back to", revision, is.Name, tag, e.DockerImageReference)
	}
	return e.Image, nil
}

// rollbackPolicy keeps the tag's reference policy across a rollback.
func rollbackPolicy(is *imagev1.ImageStream, tag string) string {
	if t := specTag(is, tag); t != nil && t.ReferencePolicy.Type == imagev1.LocalTagReferencePolicy {
		return "local"
	}
	return "source"
}

// streamOfTagArg reads the stream of the single NAME:TAG argument of history and rollback.
func streamOfTagArg(cmd *cobra.Command, o *Options, args []string) (*imagev1.ImageStream, string, error) {
	if len(args) != 1 {
		return nil, "", usageError(cmd, "you must specify one image stream tag, NAME:TAG")
	}
	c, namespace, err := o.client()
	if err != nil {
		return nil, "", err
	}
	streamName, tag, err := splitTagName(args[0])
	if err != nil {
		return nil, "", err
	}
	is, err := getStream(cmd.Context(), c, namespace, streamName)
	return is, tag, err
}
