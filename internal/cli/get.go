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
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/printers"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
)

const getLong = `List image streams, image stream tags and image stream images.

Without -o, a table is printed (-o wide adds columns). With -o json|yaml|name|jsonpath=...,
image stream tags and images are printed as OpenShift's ImageStreamTag and ImageStreamImage
objects (built by the plugin: the API server stores image streams and images only), so
templates written for oc work unchanged.`

const getExample = `  # List the image streams of the current namespace
  kubectl imagestream get is

  # List the tags of all image streams, with their image IDs
  kubectl imagestream get istag -o wide

  # Print one platform per line of the manifest list busybox:latest points to
  kubectl imagestream get istag busybox:latest -o jsonpath="{range .image.dockerImageManifests[*]}{.os}/{.architecture}{'\n'}{end}"

  # Show an image of a stream as YAML
  kubectl imagestream get isimage busybox@sha256:4bd2... -o yaml`

func newGetCommand(o *Options) *cobra.Command {
	printFlags := genericclioptions.NewPrintFlags("")
	cmd := &cobra.Command{
		Use:     "get (is|istag|isimage) [NAME ...]",
		Short:   "List image streams, tags and images",
		Long:    getLong,
		Example: getExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, names, err := resourceArgs(args)
			if err != nil {
				return usageError(cmd, err.Error())
			}
			if kind == kindImageStreamImage && len(names) == 0 {
				return usageError(cmd, "image stream images can only be retrieved by name: <stream>@<id>")
			}
			c, namespace, err := o.client()
			if err != nil {
				return err
			}
			objs, err := getObjects(cmd, c, namespace, kind, names)
			if err != nil {
				return err
			}
			format := *printFlags.OutputFormat
			if format == "" || format == "wide" {
				if len(objs) == 0 {
					fmt.Fprintf(o.ErrOut, "No resources found in %s namespace.\n", namespace)
					return nil
				}
				return printTable(o.Out, objs, format == "wide", o.Now())
			}
			printer, err := printFlags.ToPrinter()
			if err != nil {
				return err
			}
			return printList(printer, objs, o.Out, format)
		},
	}
	printFlags.AddFlags(cmd)
	cmd.Flags().Lookup("output").Usage = "Output format. One of: (json, yaml, name, wide, jsonpath=..., jsonpath-as-json=..., jsonpath-file=..., go-template=..., go-template-file=..., template=..., templatefile=...)."
	return cmd
}

// getObjects reads the named objects, or all of the kind in the namespace.
func getObjects(cmd *cobra.Command, c client.Client, namespace string, kind resourceKind, names []string) ([]any, error) {
	ctx := cmd.Context()
	var objs []any
	switch {
	case kind == kindImageStream && len(names) > 0:
		for _, n := range names {
			is, err := getStream(ctx, c, namespace, n)
			if err != nil {
				return nil, err
			}
			objs = append(objs, is)
		}
	case kind == kindImageStreamTag && len(names) > 0:
		for _, n := range names {
			ist, _, err := getImageStreamTag(ctx, c, namespace, n)
			if err != nil {
				return nil, err
			}
			objs = append(objs, ist)
		}
	case kind == kindImageStreamImage:
		for _, n := range names {
			isi, err := getImageStreamImage(ctx, c, namespace, n)
			if err != nil {
				return nil, err
			}
			objs = append(objs, isi)
		}
	default:
		list := &imagev1.ImageStreamList{}
		if err := c.List(ctx, list, client.InNamespace(namespace)); err != nil {
			return nil, err
		}
		for i := range list.Items {
			is := &list.Items[i]
			if kind == kindImageStream {
				objs = append(objs, is)
				continue
			}
			for _, tag := range streamTags(is) {
				event := imagestream.LatestEvent(&is.Status, tag)
				if event == nil || event.Image == "" {
					continue
				}
				img, err := getImage(ctx, c, namespace, event.Image)
				if err != nil {
					return nil, err
				}
				ist, _ := newImageStreamTag(is, tag, img)
				objs = append(objs, ist)
			}
		}
	}
	return objs, nil
}

// printTable prints objects of one kind as kubectl does, with oc's columns.
func printTable(out io.Writer, objs []any, wide bool, now time.Time) error {
	w := printers.GetNewTabWriter(out)
	for i, obj := range objs {
		switch o := obj.(type) {
		case *imagev1.ImageStream:
			if i == 0 {
				fmt.Fprintln(w, "NAME\tIMAGE REPOSITORY\tTAGS\tUPDATED")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", o.Name, imageRepository(o), tagList(o), lastUpdated(o, now))
		case *ImageStreamTag:
			if i == 0 {
				header := "NAME\tIMAGE REFERENCE\tUPDATED"
				if wide {
					header += "\tIMAGENAME"
				}
				fmt.Fprintln(w, header)
			}
			row := fmt.Sprintf("%s\t%s\t%s", o.Name, o.Image.DockerImageReference, ago(now, o.CreationTimestamp.Time))
			if wide {
				row += "\t" + o.Image.Name
			}
			fmt.Fprintln(w, row)
		case *ImageStreamImage:
			if i == 0 {
				header := "NAME\tIMAGE REFERENCE\tCREATED"
				if wide {
					header += "\tPLATFORMS"
				}
				fmt.Fprintln(w, header)
			}
			row := fmt.Sprintf("%s\t%s\t%s", o.Name, o.Image.DockerImageReference, ago(now, o.CreationTimestamp.Time))
			if wide {
				row += "\t" + platforms(&o.Image)
			}
			fmt.Fprintln(w, row)
		}
	}
	return w.Flush()
}

func imageRepository(is *imagev1.ImageStream) string {
	if is.Status.PublicDockerImageRepository != "" {
		return is.Status.PublicDockerImageRepository
	}
	return is.Status.DockerImageRepository
}

// tagList names the stream's tags that have an image, at most three and a count of the rest.
func tagList(is *imagev1.ImageStream) string {
	var tags []string
	for _, t := range streamTags(is) {
		if imagestream.LatestEvent(&is.Status, t) != nil {
			tags = append(tags, t)
		}
	}
	if len(tags) > 3 {
		return fmt.Sprintf("%s + %d more...", strings.Join(tags[:3], ","), len(tags)-3)
	}
	return strings.Join(tags, ",")
}

// lastUpdated is when a tag of the stream last changed.
func lastUpdated(is *imagev1.ImageStream, now time.Time) string {
	var latest time.Time
	for _, t := range is.Status.Tags {
		if len(t.Items) > 0 && t.Items[0].Created.After(latest) {
			latest = t.Items[0].Created.Time
		}
	}
	if latest.IsZero() {
		return ""
	}
	return ago(now, latest)
}

// platforms lists an image's platforms: its own, or those of its sub-manifests.
func platforms(img *ImageView) string {
	var out []string
	for _, m := range img.DockerImageManifests {
		out = append(out, platformOf(m))
	}
	if len(out) == 0 && img.DockerImageMetadata != nil && img.DockerImageMetadata.Architecture != "" {
		out = append(out, img.DockerImageMetadata.OS+"/"+img.DockerImageMetadata.Architecture)
	}
	return strings.Join(slices.Compact(out), ",")
}
