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
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/trigger"
)

const pruneLong = `Remove old images from the histories of image stream tags, with the keep rules of
"oc adm prune images". It is a dry run unless --confirm is given.

An item of a tag's history is kept when any of these holds:

  - it is younger than --keep-younger-than (and streams younger than that are skipped);
  - it is one of the --keep-tag-revisions newest items of its tag;
  - it is the tag's current image and a workload uses the tag (a short name "STREAM:TAG",
    a pull spec of the stream's repository, or an image change trigger);
  - a workload uses the image by digest.

Workloads are the pods, replica sets, replication controllers, deployments, stateful sets,
daemon sets, jobs and cron jobs of the namespace (all namespaces with -A). The operator
then releases the Image objects that no history item references any more, and Kubernetes'
garbage collector deletes them. Blobs in registries are not touched.`

const pruneExample = `  # Show what would be removed with the default rules (3 revisions, 60 minutes)
  kubectl imagestream prune

  # Keep 5 revisions of every tag, in every namespace, and remove the rest
  kubectl imagestream prune -A --keep-tag-revisions=5 --confirm`

// workloadKindsForPrune are the objects whose images keep history items.
var workloadKindsForPrune = []schema.GroupVersionKind{
	{Version: "v1", Kind: "PodList"},
	{Version: "v1", Kind: "ReplicationControllerList"},
	{Group: "apps", Version: "v1", Kind: "ReplicaSetList"},
	{Group: "apps", Version: "v1", Kind: "DeploymentList"},
	{Group: "apps", Version: "v1", Kind: "StatefulSetList"},
	{Group: "apps", Version: "v1", Kind: "DaemonSetList"},
	{Group: "batch", Version: "v1", Kind: "JobList"},
	{Group: "batch", Version: "v1", Kind: "CronJobList"},
}

func newPruneCommand(o *Options) *cobra.Command {
	opts := pruneOptions{keepTagRevisions: 3, keepYoungerThan: 60 * time.Minute}
	var confirm, allNamespaces bool
	cmd := &cobra.Command{
		Use:     "prune [--keep-tag-revisions=3] [--keep-younger-than=60m] [--confirm]",
		Short:   "Remove old images from image stream tag histories",
		Long:    pruneLong,
		Example: pruneExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(cmd, "prune takes no arguments")
			}
			if opts.keepTagRevisions < 0 {
				return errors.New("--keep-tag-revisions must be greater than or equal to 0")
			}
			if opts.keepYoungerThan < 0 {
				return errors.New("--keep-younger-than must be greater than or equal to 0")
			}
			c, namespace, err := o.client()
			if err != nil {
				return err
			}
			if allNamespaces {
				namespace = ""
			}
			return runPrune(cmd.Context(), o, c, namespace, opts, confirm)
		},
	}
	cmd.Flags().IntVar(&opts.keepTagRevisions, "keep-tag-revisions", opts.keepTagRevisions, "Keep this many of the newest items of every tag's history.")
	cmd.Flags().DurationVar(&opts.keepYoungerThan, "keep-younger-than", opts.keepYoungerThan, "Keep history items (and streams) younger than this.")
	cmd.Flags().BoolVar(&confirm, "confirm", confirm, "Remove the items; without it, only show them.")
	cmd.Flags().BoolVarP(&allNamespaces, "all-namespaces", "A", allNamespaces, "Prune the image streams of all namespaces.")
	return cmd
}

func runPrune(ctx context.Context, o *Options, c client.Client, namespace string, opts pruneOptions, confirm bool) error {
	streams := &imagev1.ImageStreamList{}
	if err := c.List(ctx, streams, client.InNamespace(namespace)); err != nil {
		return err
	}
	users, err := workloadImages(ctx, c, namespace, streams.Items)
	if err != nil {
		return err
	}
	now := o.Now()
	items := planPrune(streams.Items, users, opts, now)
	if !confirm {
		fmt.Fprint(o.Out, "Dry run enabled - no modifications will be made. Add --confirm to remove images\n\n")
	}
	if len(items) == 0 {
		fmt.Fprintln(o.Out, "No history items to prune.")
		return nil
	}
	w := printers.GetNewTabWriter(o.Out)
	fmt.Fprintln(w, "IMAGE STREAM TAG\tREVISION\tIMAGE\tCREATED")
	byStream := map[string][]pruneItem{}
	var order []string
	for _, it := range items {
		image := it.event.Image
		if image == "" {
			image = it.event.DockerImageReference
		}
		fmt.Fprintf(w, "%s/%s:%s\t%d\t%s\t%s\n", it.stream.Namespace, it.stream.Name, it.tag, it.revision, image, ago(now, it.event.Created.Time))
		if _, seen := byStream[it.stream.String()]; !seen {
			order = append(order, it.stream.String())
		}
		byStream[it.stream.String()] = append(byStream[it.stream.String()], it)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if !confirm {
		fmt.Fprintf(o.Out, "\n%d history items of %d image streams would be removed.\n", len(items), len(order))
		return nil
	}
	for _, key := range order {
		planned := byStream[key]
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			is, err := getStream(ctx, c, planned[0].stream.Namespace, planned[0].stream.Name)
			if err != nil {
				return err
			}
			patch := client.MergeFromWithOptions(is.DeepCopy(), client.MergeFromWithOptimisticLock{})
			pruneStatus(&is.Status, planned)
			return c.Status().Patch(ctx, is, patch)
		})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("pruning image stream %s: %w", key, err)
		}
	}
	fmt.Fprintf(o.Out, "\n%d history items of %d image streams removed.\n", len(items), len(order))
	return nil
}

// workloadImages collects the images the workloads of namespace ("" for all) use.
func workloadImages(ctx context.Context, c client.Client, namespace string, streams []imagev1.ImageStream) (imageUsers, error) {
	users := newImageUsers()
	repositories := map[string]string{}
	for _, is := range streams {
		for _, repo := range []string{is.Status.DockerImageRepository, is.Status.PublicDockerImageRepository} {
			if repo != "" {
				repositories[repo] = is.Namespace + "/" + is.Name
			}
		}
	}
	for _, gvk := range workloadKindsForPrune {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk)
		if err := c.List(ctx, list, client.InNamespace(namespace)); err != nil {
			return users, fmt.Errorf("listing %s: %w", gvk.Kind, err)
		}
		kind := gvk.GroupKind()
		kind.Kind = kind.Kind[:len(kind.Kind)-len("List")]
		podSpec := trigger.PodSpecPathFor(kind)
		for _, obj := range list.Items {
			users.addTriggers(obj.GetNamespace(), obj.GetAnnotations())
			for _, field := range []string{"containers", "initContainers"} {
				containers, _, _ := unstructured.NestedSlice(obj.Object, append(podSpec.Fields(), field)...)
				for _, ctr := range containers {
					if m, ok := ctr.(map[string]any); ok {
						if image, ok := m["image"].(string); ok {
							users.addImage(obj.GetNamespace(), image, repositories)
						}
					}
				}
			}
			statuses, _, _ := unstructured.NestedSlice(obj.Object, "status", "containerStatuses")
			for _, st := range statuses {
				if m, ok := st.(map[string]any); ok {
					if id, ok := m["imageID"].(string); ok {
						users.addImage(obj.GetNamespace(), id, repositories)
					}
				}
			}
		}
	}
	return users, nil
}
