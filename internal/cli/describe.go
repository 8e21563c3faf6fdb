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
	"bytes"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

const describeLong = `Show details of an image stream, an image stream tag or an image stream image, in oc's
format.

  describe is NAME            the stream's tags: where each comes from, its current image
                              (marked *), its history, pending imports (~) and errors (!)
  describe istag NAME[:TAG]   the current image of a tag (TAG defaults to latest): size,
                              layers, platform, sub-manifests, entrypoint, command, ports,
                              labels and environment
  describe isimage NAME@ID    the same for an image of the stream by digest (or a unique
                              prefix of it)`

const describeExample = `  # Show the tags of the image stream python and their history
  kubectl imagestream describe is python

  # Show the image python:latest points to
  kubectl imagestream describe istag python:latest

  # Show an image of the stream by digest
  kubectl imagestream describe isimage python@sha256:49c18358df82`

func newDescribeCommand(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "describe (is|istag|isimage) NAME",
		Short:   "Show details of image streams, tags and images",
		Long:    describeLong,
		Example: describeExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, names, err := resourceArgs(args)
			if err != nil {
				return usageError(cmd, err.Error())
			}
			if len(names) == 0 {
				return usageError(cmd, "you must specify the name of the resource to describe")
			}
			c, namespace, err := o.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var outputs []string
			for _, name := range names {
				out := &bytes.Buffer{}
				switch kind {
				case kindImageStream:
					is, err := getStream(ctx, c, namespace, name)
					if err != nil {
						return err
					}
					err = DescribeImageStream(out, is, o.Now())
					if err != nil {
						return err
					}
				case kindImageStreamTag:
					ist, _, err := getImageStreamTag(ctx, c, namespace, name)
					if err != nil {
						return err
					}
					if err := DescribeImage(out, &ist.Image, ist.Image.Name, o.Now()); err != nil {
						return err
					}
				case kindImageStreamImage:
					isi, err := getImageStreamImage(ctx, c, namespace, name)
					if err != nil {
						return err
					}
					if err := DescribeImage(out, &isi.Image, isi.Image.Name, o.Now()); err != nil {
						return err
					}
				}
				outputs = append(outputs, strings.TrimRight(out.String(), "\n"))
			}
			_, err = fmt.Fprintln(o.Out, strings.Join(outputs, "\n\n\n"))
			return err
		},
	}
}
