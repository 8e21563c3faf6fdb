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
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// resourceKind names the three kinds the plugin shows.
type resourceKind int

const (
	kindImageStream resourceKind = iota
	kindImageStreamTag
	kindImageStreamImage
)

// parseResource maps what users type (is, imagestreams, istag, isimage... with an optional
// "/NAME" and API group) to a kind and a name.
func parseResource(arg string) (resourceKind, string, error) {
	resource, name, _ := strings.Cut(arg, "/")
	resource, _, _ = strings.Cut(strings.ToLower(resource), ".")
	switch resource {
	case "is", "imagestream", "imagestreams":
		return kindImageStream, name, nil
	case "istag", "imagestreamtag", "imagestreamtags":
		return kindImageStreamTag, name, nil
	case "isimage", "imagestreamimage", "imagestreamimages":
		return kindImageStreamImage, name, nil
	}
	return 0, "", fmt.Errorf("the server doesn't have a resource type %q; use one of is, istag, isimage", resource)
}

// resourceArgs splits `TYPE NAME...` or `TYPE/NAME...` into a kind and names.
func resourceArgs(args []string) (resourceKind, []string, error) {
	if len(args) == 0 {
		return 0, nil, fmt.Errorf("you must specify the type of resource: is, istag or isimage")
	}
	kind, name, err := parseResource(args[0])
	if err != nil {
		return 0, nil, err
	}
	var names []string
	if name != "" {
		names = append(names, name)
	}
	for _, a := range args[1:] {
		k, n, err := parseResource(a)
		switch {
		case strings.Contains(a, "/") && err == nil:
			if k != kind {
				return 0, nil, fmt.Errorf("arguments in resource/name form must have a single resource type")
			}
			names = append(names, n)
		default:
			names = append(names, a)
		}
	}
	return kind, names, nil
}

// printObject prints obj (an API object or one of the virtual kinds) with a cli-runtime
// printer: json, yaml, name, jsonpath, go-template.
func printObject(p printers.ResourcePrinter, obj any, w io.Writer) error {
	if ro, ok := obj.(runtime.Object); ok {
		if ro.GetObjectKind().GroupVersionKind().Empty() {
			gvks, _, err := pluginScheme.ObjectKinds(ro)
			if err == nil && len(gvks) > 0 {
				ro = ro.DeepCopyObject()
				ro.GetObjectKind().SetGroupVersionKind(gvks[0])
			}
		}
		obj = ro
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return fmt.Errorf("converting %T for printing: %w", obj, err)
	}
	return p.PrintObj(&unstructured.Unstructured{Object: content}, w)
}

// printList prints several objects as a List, the way kubectl does for -o json|yaml.
func printList(p printers.ResourcePrinter, objs []any, w io.Writer, outputFormat string) error {
	if len(objs) == 1 || strings.HasPrefix(outputFormat, "name") {
		for _, obj := range objs {
			if err := printObject(p, obj, w); err != nil {
				return err
			}
		}
		return nil
	}
	list := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": "v1", "kind": "List", "metadata": map[string]any{}}}
	for _, obj := range objs {
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(typed(obj))
		if err != nil {
			return err
		}
		list.Items = append(list.Items, unstructured.Unstructured{Object: content})
	}
	return p.PrintObj(list, w)
}

// typed sets the kind of API objects read through the client, which leaves it empty.
func typed(obj any) any {
	if is, ok := obj.(*imagev1.ImageStream); ok && is.Kind == "" {
		is = is.DeepCopy()
		is.APIVersion, is.Kind = imagev1.GroupVersion.String(), "ImageStream"
		return is
	}
	return obj
}
