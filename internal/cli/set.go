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

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/trigger"
)

// resolveNamesAnnotation is the lookup webhook's annotation forcing resolution of every image
// name of an object (internal/webhook/v1 ResolveNamesAnnotation).
const resolveNamesAnnotation = "image.imagestreams.io/resolve-names"

// workloadKinds maps what users type to the workload kinds that carry triggers.
var workloadKinds = map[string]schema.GroupVersionKind{
	"deployment":  {Group: "apps", Version: "v1", Kind: "Deployment"},
	"deploy":      {Group: "apps", Version: "v1", Kind: "Deployment"},
	"statefulset": {Group: "apps", Version: "v1", Kind: "StatefulSet"},
	"sts":         {Group: "apps", Version: "v1", Kind: "StatefulSet"},
	"daemonset":   {Group: "apps", Version: "v1", Kind: "DaemonSet"},
	"ds":          {Group: "apps", Version: "v1", Kind: "DaemonSet"},
	"cronjob":     {Group: "batch", Version: "v1", Kind: "CronJob"},
	"cj":          {Group: "batch", Version: "v1", Kind: "CronJob"},
}

// parseWorkload parses `<kind>/<name>` (deployment/web, sts/db, ...).
func parseWorkload(arg string) (schema.GroupVersionKind, string, error) {
	kind, name, ok := strings.Cut(arg, "/")
	kind, _, _ = strings.Cut(strings.ToLower(kind), ".")
	gvk, known := workloadKinds[strings.TrimSuffix(kind, "s")]
	if !known {
		gvk, known = workloadKinds[kind]
	}
	if !ok || name == "" || !known {
		return schema.GroupVersionKind{}, "", fmt.Errorf("%q is not a workload: use deployment/NAME, statefulset/NAME, daemonset/NAME or cronjob/NAME", arg)
	}
	return gvk, name, nil
}

func newSetCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set SUBCOMMAND",
		Short: "Set image change triggers and image lookup",
		Long:  "Configure workloads and image streams: image change triggers and local image name lookup.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError(cmd, "you must specify a subcommand: triggers or image-lookup")
		},
	}
	cmd.AddCommand(newSetTriggersCommand(o), newSetImageLookupCommand(o))
	return cmd
}

const setTriggersLong = `Make a workload follow an image stream tag.

The command writes the annotation image.imagestreams.io/triggers (the format of OpenShift's
image.openshift.io/triggers) on a Deployment, StatefulSet, DaemonSet or CronJob. When the tag
points to a new image, the operator sets the container's image to it (by digest). With
--auto=false the trigger is paused. Without -c, every container gets the trigger.`

const setTriggersExample = `  # Deploy every new image of web:latest in the container "web" of deployment/web
  kubectl imagestream set triggers deployment/web --from-image=web:latest -c web

  # Keep the trigger but stop following the tag for now
  kubectl imagestream set triggers deployment/web --from-image=web:latest -c web --auto=false

  # Remove all image triggers of a deployment
  kubectl imagestream set triggers deployment/web --remove-all`

func newSetTriggersCommand(o *Options) *cobra.Command {
	var fromImage string
	var containers []string
	auto, removeAll := true, false
	cmd := &cobra.Command{
		Use:     "triggers RESOURCE --from-image=STREAM:TAG [-c CONTAINER] [--auto=false]",
		Short:   "Update workloads when an image stream tag changes",
		Long:    setTriggersLong,
		Example: setTriggersExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "you must specify one workload, e.g. deployment/web")
			}
			if (fromImage == "") == !removeAll {
				return usageError(cmd, "specify either --from-image=STREAM:TAG or --remove-all")
			}
			gvk, name, err := parseWorkload(args[0])
			if err != nil {
				return err
			}
			c, namespace, err := o.client()
			if err != nil {
				return err
			}
			var from trigger.ObjectReference
			if fromImage != "" {
				stream, tag, err := splitTagName(fromImage)
				if err != nil {
					return fmt.Errorf("--from-image: %w", err)
				}
				from = trigger.ObjectReference{Kind: imagev1.ImageStreamTagKind, Name: stream + ":" + tag}
			}
			err = updateTriggers(cmd.Context(), c, gvk, types.NamespacedName{Namespace: namespace, Name: name}, func(podSpec trigger.PodSpecPath, names []string, triggers []trigger.ObjectFieldTrigger) ([]trigger.ObjectFieldTrigger, error) {
				if removeAll {
					return nil, nil
				}
				return setTriggers(podSpec, names, triggers, from, containers, !auto)
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(o.Out, "%s.%s/%s triggers updated\n", strings.ToLower(gvk.Kind), gvk.Group, name)
			return nil
		},
	}
	cmd.Flags().StringVar(&fromImage, "from-image", "", "An image stream tag, STREAM:TAG, whose new images update the containers.")
	cmd.Flags().StringSliceVarP(&containers, "containers", "c", nil, "The containers to update (default: all).")
	cmd.Flags().BoolVar(&auto, "auto", auto, "Update the containers automatically; false pauses the trigger.")
	cmd.Flags().BoolVar(&removeAll, "remove-all", removeAll, "Remove all image triggers of the workload.")
	return cmd
}

// setTriggers adds or replaces the triggers of the named containers (all of containerNames
// when none are named).
func setTriggers(podSpec trigger.PodSpecPath, containerNames []string, triggers []trigger.ObjectFieldTrigger, from trigger.ObjectReference, selected []string, paused bool) ([]trigger.ObjectFieldTrigger, error) {
	if len(selected) == 0 {
		selected = containerNames
	}
	for _, name := range selected {
		found := false
		for _, n := range containerNames {
			found = found || n == name
		}
		if !found {
			return nil, fmt.Errorf("no such container: %q (the workload has %s)", name, strings.Join(containerNames, ", "))
		}
		fieldPath := fmt.Sprintf(`%s.containers[?(@.name=="%s")].image`, podSpec, name)
		t := trigger.ObjectFieldTrigger{From: from, FieldPath: fieldPath, Paused: paused}
		replaced := false
		for i := range triggers {
			if triggers[i].FieldPath == fieldPath {
				triggers[i], replaced = t, true
			}
		}
		if !replaced {
			triggers = append(triggers, t)
		}
	}
	return triggers, nil
}

// updateTriggers rewrites the trigger annotation of a workload with change.
func updateTriggers(ctx context.Context, c client.Client, gvk schema.GroupVersionKind, key types.NamespacedName,
	change func(trigger.PodSpecPath, []string, []trigger.ObjectFieldTrigger) ([]trigger.ObjectFieldTrigger, error)) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		if err := c.Get(ctx, key, obj); err != nil {
			return err
		}
		podSpec := trigger.PodSpecPathFor(gvk.GroupKind())
		containers, _, _ := unstructured.NestedSlice(obj.Object, append(podSpec.Fields(), "containers")...)
		var names []string
		for _, ctr := range containers {
			if m, ok := ctr.(map[string]any); ok {
				if n, ok := m["name"].(string); ok {
					names = append(names, n)
				}
			}
		}
		current, err := trigger.Parse(obj.GetAnnotations())
		if err != nil {
			return err
		}
		triggers, err := change(podSpec, names, current)
		if err != nil {
			return err
		}
		annotations := obj.GetAnnotations()
		if annotations == nil {
			annotations = map[string]string{}
		}
		if len(triggers) == 0 {
			delete(annotations, imagev1.TriggersAnnotation)
			delete(annotations, imagev1.OpenShiftTriggersAnnotation)
		} else {
			value, err := trigger.Encode(triggers)
			if err != nil {
				return err
			}
			annotations[imagev1.TriggersAnnotation] = value
			if _, both := annotations[imagev1.OpenShiftTriggersAnnotation]; both {
				annotations[imagev1.OpenShiftTriggersAnnotation] = value
			}
		}
		obj.SetAnnotations(annotations)
		return c.Update(ctx, obj)
	})
}

const setImageLookupLong = `Let pods and workloads refer to image stream tags by short name.

For an image stream, sets spec.lookupPolicy.local: pods and workloads of the namespace may
then say "image: STREAM:TAG" and get the tag's current image. For a workload, sets the
annotation image.imagestreams.io/resolve-names=* so that all its image names are resolved
through image streams of the namespace.`

const setImageLookupExample = `  # Let pods use "image: python:3.12" for the image stream python
  kubectl imagestream set image-lookup python

  # Turn it off again
  kubectl imagestream set image-lookup python --enabled=false

  # Resolve every image name of deployment/web through image streams
  kubectl imagestream set image-lookup deployment/web`

func newSetImageLookupCommand(o *Options) *cobra.Command {
	enabled := true
	cmd := &cobra.Command{
		Use:     "image-lookup STREAM|RESOURCE [--enabled=false]",
		Short:   "Resolve short image names through image streams",
		Long:    setImageLookupLong,
		Example: setImageLookupExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError(cmd, "you must specify an image stream or a workload")
			}
			c, namespace, err := o.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			for _, arg := range args {
				if !strings.Contains(arg, "/") || strings.HasPrefix(arg, "is/") || strings.HasPrefix(arg, "imagestream") {
					name := arg[strings.Index(arg, "/")+1:]
					err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
						is, err := getStream(ctx, c, namespace, name)
						if err != nil {
							return err
						}
						is.Spec.LookupPolicy.Local = enabled
						return c.Update(ctx, is)
					})
					if err != nil {
						return err
					}
					fmt.Fprintf(o.Out, "imagestream.%s/%s image lookup updated\n", imagev1.GroupVersion.Group, name)
					continue
				}
				gvk, name, err := parseWorkload(arg)
				if err != nil {
					return err
				}
				err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
					obj := &unstructured.Unstructured{}
					obj.SetGroupVersionKind(gvk)
					if err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, obj); err != nil {
						return err
					}
					annotations := obj.GetAnnotations()
					if annotations == nil {
						annotations = map[string]string{}
					}
					if enabled {
						annotations[resolveNamesAnnotation] = "*"
					} else {
						delete(annotations, resolveNamesAnnotation)
					}
					obj.SetAnnotations(annotations)
					return c.Update(ctx, obj)
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(o.Out, "%s.%s/%s image lookup updated\n", strings.ToLower(gvk.Kind), gvk.Group, name)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&enabled, "enabled", enabled, "Resolve image names through image streams; false turns it off.")
	return cmd
}
