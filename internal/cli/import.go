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
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

const importLong = `Import the latest image information from a registry into an image stream tag.

The operator looks the image up in the registry (with the pull secrets of the namespace) and
records its digest and metadata in the tag's history. With --from, import from that pull
spec; without it, re-import the tag's current source. A new image stream is created only
with --confirm. --all imports every tag of a repository (at most the operator's bulk limit).

The command creates an ImageStreamImport, waits for the operator to process it, and prints
the resulting stream and images. --dry-run shows what would be imported without changing
anything.`

const importExample = `  # Import busybox:latest from Docker Hub into a new image stream "busybox"
  kubectl imagestream import busybox --from=docker.io/library/busybox:latest --confirm

  # Re-import the current source of python:3.12 to pick up a new image
  kubectl imagestream import python:3.12

  # Import all images of a manifest list, and pull them through the integrated registry
  kubectl imagestream import app:v1 --from=quay.io/org/app:v1 --import-mode=PreserveOriginal --reference-policy=local --confirm

  # Import every tag of a repository into a new stream
  kubectl imagestream import mysql --from=docker.io/library/mysql --all --confirm

  # Only show what would be imported
  kubectl imagestream import busybox --from=docker.io/library/busybox:1.37 --confirm --dry-run`

func newImportCommand(o *Options) *cobra.Command {
	f := importFlags{referencePolicy: "source"}
	timeout := 2 * time.Minute
	printFlags := genericclioptions.NewPrintFlags("imported")
	cmd := &cobra.Command{
		Use:     "import IMAGESTREAM[:TAG]",
		Aliases: []string{"import-image"},
		Short:   "Import images from a container image registry",
		Long:    importLong,
		Example: importExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "you must specify the name of an image stream")
			}
			f.insecureSet = cmd.Flags().Changed("insecure")
			return runImport(cmd.Context(), o, f, args[0], timeout, printFlags)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&f.from, "from", f.from, "A container image repository to import images from.")
	flags.BoolVar(&f.confirm, "confirm", f.confirm, "If true, allow the image stream import location to be set or changed.")
	flags.BoolVar(&f.all, "all", f.all, "If true, import all tags from the provided source on creation or if --from is specified.")
	flags.BoolVar(&f.scheduled, "scheduled", f.scheduled, "Set each imported container image to be periodically imported from a remote repository. Defaults to false.")
	flags.BoolVar(&f.insecure, "insecure", f.insecure, "If true, allow importing from registries that have invalid HTTPS certificates or are hosted via HTTP. This flag will take precedence over the insecure annotation.")
	flags.StringVar(&f.referencePolicy, "reference-policy", f.referencePolicy, "Allow to request pullthrough for external image when set to 'local'. Defaults to 'source'.")
	flags.StringVar(&f.importMode, "import-mode", f.importMode, "Imports the full manifest list of a tag when set to 'PreserveOriginal'. Defaults to 'Legacy'.")
	flags.BoolVar(&f.dryRun, "dry-run", f.dryRun, "Fetch information about images without creating or updating an image stream.")
	flags.DurationVar(&timeout, "timeout", timeout, "How long to wait for the operator to process the import.")
	printFlags.AddFlags(cmd)
	return cmd
}

func runImport(ctx context.Context, o *Options, f importFlags, arg string, timeout time.Duration, printFlags *genericclioptions.PrintFlags) error {
	if _, err := parseImportMode(f.importMode); err != nil {
		return err
	}
	if _, err := parseReferencePolicy(f.referencePolicy, false); err != nil {
		return err
	}
	target, err := parseImportTarget(arg, f.all)
	if err != nil {
		return err
	}
	c, namespace, err := o.client()
	if err != nil {
		return err
	}
	stream, err := getStream(ctx, c, namespace, target.stream)
	if apierrors.IsNotFound(err) {
		stream = nil
	} else if err != nil {
		return err
	}
	plan, err := planImport(f, target, stream)
	if err != nil {
		return err
	}
	isi := &imagev1.ImageStreamImport{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: target.stream},
		Spec:       plan.spec,
	}
	if err := createImport(ctx, c, isi); err != nil {
		return err
	}
	result, err := waitForImport(ctx, c, isi, timeout)
	if err != nil {
		return err
	}
	if *printFlags.OutputFormat != "" {
		printer, err := printFlags.ToPrinter()
		if err != nil {
			return err
		}
		var obj any = result
		if result.Status.Import != nil {
			obj = result.Status.Import
		}
		return printObject(printer, obj, o.Out)
	}
	if result.Status.Import != nil {
		// The stream as stored, with its metadata (status.import carries a trimmed copy).
		if is, err := getStream(ctx, c, namespace, target.stream); err == nil {
			result.Status.Import = is
		}
	}
	return printImportResult(o, result, f.dryRun)
}

// createImport creates the import request. A request of an earlier import into the same
// stream that the operator has processed already is replaced.
func createImport(ctx context.Context, c client.Client, isi *imagev1.ImageStreamImport) error {
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		err := c.Create(ctx, isi.DeepCopy())
		if err == nil {
			return true, nil
		}
		if !apierrors.IsAlreadyExists(err) {
			return false, fmt.Errorf("creating the import request: %w", err)
		}
		old := &imagev1.ImageStreamImport{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(isi), old); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		if !processedImport(old) {
			return false, fmt.Errorf("an import into image stream %q is already in progress; try again when it has completed", isi.Name)
		}
		err = c.Delete(ctx, old, client.Preconditions{UID: &old.UID})
		return false, client.IgnoreNotFound(err)
	})
}

// processedImport reports whether the operator has filled the request's status.
func processedImport(isi *imagev1.ImageStreamImport) bool {
	return len(isi.Status.Images) > 0 || isi.Status.Repository != nil
}

// waitForImport waits for the operator's answer to the request.
func waitForImport(ctx context.Context, c client.Client, isi *imagev1.ImageStreamImport, timeout time.Duration) (*imagev1.ImageStreamImport, error) {
	result := &imagev1.ImageStreamImport{}
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if err := c.Get(ctx, types.NamespacedName{Namespace: isi.Namespace, Name: isi.Name}, result); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return processedImport(result), nil
	})
	if err != nil {
		if wait.Interrupted(err) {
			return nil, fmt.Errorf("timed out after %s waiting for the import into image stream %q: is the imagestream-operator running?", timeout, isi.Name)
		}
		return nil, err
	}
	return result, nil
}

// importFailed reports whether any image or the repository of the import failed.
func importFailed(isi *imagev1.ImageStreamImport) bool {
	for _, img := range isi.Status.Images {
		if img.Status.Status == metav1.StatusFailure {
			return true
		}
	}
	return isi.Status.Repository != nil && isi.Status.Repository.Status.Status == metav1.StatusFailure
}

// printImportResult prints oc's import-image output: the outcome, the stream and each image.
func printImportResult(o *Options, isi *imagev1.ImageStreamImport, dryRun bool) error {
	now := o.Now()
	message := "imported"
	if importFailed(isi) {
		message = "imported with errors"
	}
	if dryRun {
		message += " (dry run)"
	}
	out := &bytes.Buffer{}
	fmt.Fprintf(out, "imagestream.%s/%s %s\n\n", imagev1.GroupVersion.Group, isi.Name, message)
	if isi.Status.Import != nil {
		if err := DescribeImageStream(out, isi.Status.Import, now); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}
	images := isi.Status.Images
	repository := "tag"
	if r := isi.Status.Repository; r != nil {
		images = append(append([]imagev1.ImageImportStatus{}, r.Images...), images...)
		repository = "repository tag"
		if r.Status.Status == metav1.StatusFailure && len(r.Images) == 0 {
			fmt.Fprintf(o.ErrOut, "error: repository %s failed: %s\n", r.Status.Reason, r.Status.Message)
		}
	}
	for _, img := range images {
		if img.Image == nil || img.Status.Status == metav1.StatusFailure {
			fmt.Fprintf(o.ErrOut, "error: %s %s failed: %s\n", repository, img.Tag, img.Status.Message)
			continue
		}
		view := importedImageView(img.Image)
		if err := DescribeImage(out, &view, isi.Name+":"+img.Tag, now); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}
	if r := isi.Status.Repository; r != nil && len(r.AdditionalTags) > 0 {
		fmt.Fprintf(out, "info: The remote repository contained %d additional tags which were not imported: %s\n", len(r.AdditionalTags), strings.Join(r.AdditionalTags, ", "))
	}
	if _, err := o.Out.Write(bytes.TrimRight(out.Bytes(), "\n")); err != nil {
		return err
	}
	fmt.Fprintln(o.Out)
	if importFailed(isi) {
		return errors.New("imported completed with errors")
	}
	return nil
}

// importedImageView shows an image reported by an import in OpenShift's shape.
func importedImageView(img *imagev1.ImportedImage) ImageView {
	v := ImageView{ObjectMeta: *img.Metadata.DeepCopy(), ImageData: *img.ImageData.DeepCopy()}
	if digest, err := reference.DigestFromName(img.Metadata.Name); err == nil {
		v.Name = digest
	}
	return v
}
