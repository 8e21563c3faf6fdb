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
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// openShiftImageGroupVersion is the API of OpenShift's image objects.
const openShiftImageGroupVersion = "image.openshift.io/v1"

// renamedAnnotations maps OpenShift's annotations to ours. The operator honours most of
// OpenShift's keys as well; convert writes ours so that the objects say what they mean here.
var renamedAnnotations = map[string]string{
	imagev1.OpenShiftTriggersAnnotation:             imagev1.TriggersAnnotation,
	imagev1.OpenShiftInsecureRepositoryAnnotation:   imagev1.InsecureRepositoryAnnotation,
	"alpha.image.policy.openshift.io/resolve-names": resolveNamesAnnotation,
}

// renamedTagAnnotations maps OpenShift's spec tag annotations to ours.
var renamedTagAnnotations = map[string]string{
	imagev1.OpenShiftPreferArchAnnotation: imagev1.PreferArchAnnotation,
	imagev1.OpenShiftPreferOSAnnotation:   imagev1.PreferOSAnnotation,
}

// convertedKinds are the image.openshift.io kinds this project serves.
var convertedKinds = map[string]bool{"ImageStream": true, "ImageStreamImport": true}

// annotationPaths are where objects keep annotations convert rewrites: the object's and its
// pod template's.
var annotationPaths = [][]string{
	{"metadata", "annotations"},
	{"spec", "template", "metadata", "annotations"},
	{"spec", "jobTemplate", "spec", "template", "metadata", "annotations"},
}

// convertObject rewrites one object (and the objects of a List or a Template) from
// OpenShift's image API to ours, returning warnings about what it could not convert.
func convertObject(obj map[string]any) []string {
	var warnings []string
	kind, _ := obj["kind"].(string)
	apiVersion, _ := obj["apiVersion"].(string)
	name := kind
	if md, ok := obj["metadata"].(map[string]any); ok {
		if n, ok := md["name"].(string); ok {
			name = kind + "/" + n
		}
	}
	for _, listField := range []string{"items", "objects"} {
		if items, ok := obj[listField].([]any); ok && (kind == "List" || kind == "Template" || strings.HasSuffix(kind, "List")) {
			for _, item := range items {
				if m, ok := item.(map[string]any); ok {
					warnings = append(warnings, convertObject(m)...)
				}
			}
		}
	}
	if apiVersion == openShiftImageGroupVersion || (apiVersion == "v1" && convertedKinds[kind]) {
		if convertedKinds[kind] {
			obj["apiVersion"] = imagev1.GroupVersion.String()
		} else {
			warnings = append(warnings, fmt.Sprintf("%s: kind %s is not served by the imagestream-operator and was left unchanged (use an ImageStream spec tag, or `kubectl imagestream tag`)", name, kind))
		}
	}
	if kind == "DeploymentConfig" {
		warnings = append(warnings, fmt.Sprintf("%s: DeploymentConfigs are not supported; use a Deployment with an image.imagestreams.io/triggers annotation (`kubectl imagestream set triggers`)", name))
	}
	for _, path := range annotationPaths {
		if annotations, ok := nested(obj, path); ok {
			renameKeys(annotations, renamedAnnotations)
		}
	}
	if kind == "ImageStream" {
		if spec, ok := obj["spec"].(map[string]any); ok {
			if tags, ok := spec["tags"].([]any); ok {
				for _, t := range tags {
					if tag, ok := t.(map[string]any); ok {
						if annotations, ok := tag["annotations"].(map[string]any); ok {
							renameKeys(annotations, renamedTagAnnotations)
						}
					}
				}
			}
		}
	}
	return warnings
}

// nested returns the map at path in obj.
func nested(obj map[string]any, path []string) (map[string]any, bool) {
	cur := obj
	for _, p := range path {
		next, ok := cur[p].(map[string]any)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// renameKeys renames the keys of m by renames; a key already present under the new name
// keeps its value there.
func renameKeys(m map[string]any, renames map[string]string) {
	for from, to := range renames {
		v, ok := m[from]
		if !ok {
			continue
		}
		delete(m, from)
		if _, exists := m[to]; !exists {
			m[to] = v
		}
	}
}

// convertDocuments converts every YAML or JSON document of in and writes them as YAML.
func convertDocuments(in io.Reader, out io.Writer) ([]string, error) {
	decoder := utilyaml.NewYAMLOrJSONDecoder(in, 4096)
	var warnings []string
	first := true
	for {
		obj := map[string]any{}
		if err := decoder.Decode(&obj); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return warnings, fmt.Errorf("reading the input: %w", err)
		}
		if len(obj) == 0 {
			continue
		}
		warnings = append(warnings, convertObject(obj)...)
		data, err := yaml.Marshal(obj)
		if err != nil {
			return warnings, err
		}
		if !first {
			fmt.Fprintln(out, "---")
		}
		first = false
		if _, err := out.Write(data); err != nil {
			return warnings, err
		}
	}
	return warnings, nil
}

const convertLong = `Rewrite OpenShift image stream YAML for the imagestream-operator.

The input (files or stdin, YAML or JSON, several documents, Lists and Templates) is written
to stdout with:

  - apiVersion image.openshift.io/v1 replaced by image.imagestreams.io/v1 for ImageStream
    and ImageStreamImport (the fields are the same);
  - the annotations image.openshift.io/triggers, openshift.io/image.insecureRepository and
    alpha.image.policy.openshift.io/resolve-names, and the spec tag annotations
    importer.image.openshift.io/prefer-arch|prefer-os, renamed to their
    image.imagestreams.io/ equivalents.

Everything else is left as it is; kinds that have no equivalent here (DeploymentConfig,
ImageStreamTag, ImageStreamMapping, ...) are reported on stderr.`

const convertExample = `  # Convert an exported image stream and apply it
  oc get is python -o yaml | kubectl imagestream convert -f - | kubectl apply -f -

  # Convert a file
  kubectl imagestream convert -f imagestreams.yaml > converted.yaml`

func newConvertCommand(o *Options) *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:     "convert -f FILE|-",
		Short:   "Rewrite OpenShift image stream YAML for this operator",
		Long:    convertLong,
		Example: convertExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(files) == 0 {
				return usageError(cmd, "you must specify the input with -f FILE, or -f - for stdin")
			}
			out := &bytes.Buffer{}
			for i, f := range files {
				var in io.Reader = o.In
				if f != "-" {
					file, err := os.Open(f)
					if err != nil {
						return err
					}
					defer file.Close() //nolint:errcheck // read only
					in = file
				}
				if i > 0 && out.Len() > 0 {
					fmt.Fprintln(out, "---")
				}
				warnings, err := convertDocuments(in, out)
				for _, w := range warnings {
					fmt.Fprintf(o.ErrOut, "warning: %s\n", w)
				}
				if err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
			}
			_, err := o.Out.Write(out.Bytes())
			return err
		},
	}
	cmd.Flags().StringSliceVarP(&files, "filename", "f", nil, "Files to convert; - reads stdin.")
	return cmd
}
