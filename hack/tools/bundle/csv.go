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

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/blang/semver/v4"
	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// buildCSV completes the CSV base of inv: name and version, the install strategy (the
// deployment and the RBAC bound to its ServiceAccount), webhook definitions, the owned CRDs'
// kinds and versions, examples, the image and the icon. Objects the CSV absorbs leave inv;
// the rest join inv.extras.
func buildCSV(inv *inventory, opts Options) (*unstructured.Unstructured, error) {
	if _, err := semver.Parse(opts.Version); err != nil {
		return nil, fmt.Errorf("version %q: %w", opts.Version, err)
	}
	base, err := parseCSVBase(inv.csvBase)
	if err != nil {
		return nil, err
	}

	dep, deployment, err := olmDeployment(inv.deployment, opts.Image)
	if err != nil {
		return nil, err
	}
	perms, err := absorbRBAC(inv, deployment)
	if err != nil {
		return nil, err
	}
	webhooks, err := webhookDefinitions(inv, deployment)
	if err != nil {
		return nil, err
	}
	owned, err := ownedCRDs(base.Spec.CustomResourceDefinitions.Owned, inv.crds)
	if err != nil {
		return nil, err
	}
	examples, err := almExamples(inv.examples)
	if err != nil {
		return nil, err
	}

	csv := inv.csvBase.DeepCopy()
	csv.SetName(opts.Package + ".v" + opts.Version)
	csv.SetNamespace("")
	annotations := csv.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations["alm-examples"] = examples
	annotations["containerImage"] = opts.Image
	csv.SetAnnotations(annotations)

	spec := map[string]any{}
	if s, ok := csv.Object["spec"].(map[string]any); ok {
		spec = s
	}
	spec["version"] = opts.Version
	install := map[string]any{"deployments": []any{dep}}
	if len(perms.cluster) > 0 {
		if install["clusterPermissions"], err = jsonValue(perms.cluster); err != nil {
			return nil, err
		}
	}
	if len(perms.namespaced) > 0 {
		if install["permissions"], err = jsonValue(perms.namespaced); err != nil {
			return nil, err
		}
	}
	spec["install"] = map[string]any{"strategy": v1alpha1.InstallStrategyNameDeployment, "spec": install}
	crds := map[string]any{}
	if c, ok := spec["customresourcedefinitions"].(map[string]any); ok {
		crds = c
	}
	if crds["owned"], err = jsonValue(owned); err != nil {
		return nil, err
	}
	spec["customresourcedefinitions"] = crds
	if len(webhooks) > 0 {
		if spec["webhookdefinitions"], err = jsonValue(webhooks); err != nil {
			return nil, err
		}
	}
	if len(opts.Icon) > 0 {
		spec["icon"] = []any{map[string]any{
			"base64data": base64.StdEncoding.EncodeToString(opts.Icon),
			"mediatype":  "image/svg+xml",
		}}
	}
	csv.Object["spec"] = spec
	delete(csv.Object, "status")
	return csv, nil
}

// parseCSVBase decodes the CSV base strictly, so that a misspelt field in config/manifests
// is an error instead of being dropped.
func parseCSVBase(u *unstructured.Unstructured) (*v1alpha1.ClusterServiceVersion, error) {
	raw, err := json.Marshal(u.Object)
	if err != nil {
		return nil, fmt.Errorf("encoding CSV base %s: %w", u.GetName(), err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	csv := &v1alpha1.ClusterServiceVersion{}
	if err := dec.Decode(csv); err != nil {
		return nil, fmt.Errorf("CSV base %s: %w", u.GetName(), err)
	}
	return csv, nil
}

// ownedCRDs returns the CSV base's descriptions of the bundle's CRDs, completed with each
// CRD's kind and storage version. Every CRD must be described, and every description must
// name a CRD of the bundle.
func ownedCRDs(described []v1alpha1.CRDDescription, crds []*unstructured.Unstructured) ([]v1alpha1.CRDDescription, error) {
	byName := map[string]*apiextensionsv1.CustomResourceDefinition{}
	for _, u := range crds {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, crd); err != nil {
			return nil, fmt.Errorf("decoding CRD %s: %w", u.GetName(), err)
		}
		byName[crd.Name] = crd
	}
	owned := make([]v1alpha1.CRDDescription, 0, len(described))
	seen := map[string]bool{}
	for _, d := range described {
		crd, ok := byName[d.Name]
		if !ok {
			return nil, fmt.Errorf("the CSV base describes CRD %s, which config/manifests does not include", d.Name)
		}
		if d.Description == "" || d.DisplayName == "" {
			return nil, fmt.Errorf("the CSV base's owned CRD %s needs a displayName and a description", d.Name)
		}
		d.Kind = crd.Spec.Names.Kind
		d.Version = storageVersion(crd)
		if d.Version == "" {
			return nil, fmt.Errorf("CRD %s has no storage version", d.Name)
		}
		seen[d.Name] = true
		owned = append(owned, d)
	}
	var missing []string
	for name := range byName {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("describe CRDs %v in spec.customresourcedefinitions.owned of the CSV base in config/manifests/bases", missing)
	}
	return owned, nil
}

// storageVersion is the name of the version crd stores.
func storageVersion(crd *apiextensionsv1.CustomResourceDefinition) string {
	for _, v := range crd.Spec.Versions {
		if v.Storage {
			return v.Name
		}
	}
	return ""
}

// almExamples renders the example objects as the JSON array of the alm-examples annotation,
// ordered by kind and name.
func almExamples(examples []*unstructured.Unstructured) (string, error) {
	sorted := make([]map[string]any, 0, len(examples))
	for _, e := range examples {
		c := e.DeepCopy()
		c.SetNamespace("")
		sorted = append(sorted, c.Object)
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := &unstructured.Unstructured{Object: sorted[i]}, &unstructured.Unstructured{Object: sorted[j]}
		if a.GetKind() != b.GetKind() {
			return a.GetKind() < b.GetKind()
		}
		return a.GetName() < b.GetName()
	})
	raw, err := json.MarshalIndent(sorted, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding alm-examples: %w", err)
	}
	return string(raw), nil
}

// jsonValue converts v to the generic JSON form of unstructured objects.
func jsonValue(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", v, err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decoding %T: %w", v, err)
	}
	return out, nil
}
