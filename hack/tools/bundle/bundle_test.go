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

// The tests of this file check the committed bundle (`make verify-bundle` checks that it is
// what `make bundle` writes).

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/operator-framework/api/pkg/manifests"
	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	"github.com/operator-framework/api/pkg/validation"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = "../../.."

// targetKubernetesVersion is the Kubernetes version the operator is built and tested
// against; APIs removed by then are errors, not warnings.
const targetKubernetesVersion = "1.37"

// loadBundle loads the committed bundle as OLM's tooling does.
func loadBundle(t *testing.T) *manifests.Bundle {
	t.Helper()
	b, err := manifests.GetBundleFromDir(filepath.Join(repoRoot, "bundle"))
	if err != nil {
		t.Fatalf("loading bundle/: %v", err)
	}
	if b.CSV == nil {
		t.Fatal("bundle/manifests has no ClusterServiceVersion")
	}
	return b
}

// TestBundleValidation runs operator-framework/api's default bundle validators (CSV, CRDs,
// bundle) and the OperatorHub suite (operatorhub/v2, standard capabilities and categories,
// good practices, deprecated APIs) on the committed bundle. Any error or warning fails.
func TestBundleValidation(t *testing.T) {
	b := loadBundle(t)
	validators := validation.DefaultBundleValidators.WithValidators(
		validation.OperatorHubV2Validator,
		validation.StandardCapabilitiesValidator,
		validation.StandardCategoriesValidator,
		validation.GoodPracticesValidator,
		validation.AlphaDeprecatedAPIsValidator,
	)
	objs := append(b.ObjectsToValidate(), map[string]string{"k8s-version": targetKubernetesVersion})
	results := validators.Validate(objs...)
	if len(results) == 0 {
		t.Fatal("the validators returned no results: nothing was validated")
	}
	for _, r := range results {
		for _, e := range r.Errors {
			t.Errorf("error (%s): %s", r.Name, e.Error())
		}
		for _, w := range r.Warnings {
			t.Errorf("warning (%s): %s", r.Name, w.Error())
		}
	}
}

// TestOwnedCRDsMatchManifests checks that the CSV owns exactly the CRDs of bundle/manifests,
// by name, kind and storage version, that each has a description, and that those CRDs are
// the ones controller-gen wrote to config/crd/bases.
func TestOwnedCRDsMatchManifests(t *testing.T) {
	b := loadBundle(t)
	type key struct{ name, kind, version string }
	var owned, inBundle []key
	for _, d := range b.CSV.Spec.CustomResourceDefinitions.Owned {
		owned = append(owned, key{d.Name, d.Kind, d.Version})
		if d.Description == "" || d.DisplayName == "" {
			t.Errorf("owned CRD %s needs a displayName and a description", d.Name)
		}
	}
	bundleCRDs := map[string]*apiextensionsv1.CustomResourceDefinition{}
	for _, crd := range b.V1CRDs {
		inBundle = append(inBundle, key{crd.Name, crd.Spec.Names.Kind, storageVersion(crd)})
		bundleCRDs[crd.Name] = crd
	}
	if len(b.V1beta1CRDs) > 0 {
		t.Errorf("bundle has %d apiextensions.k8s.io/v1beta1 CRDs", len(b.V1beta1CRDs))
	}
	less := func(a, b key) int { return strings.Compare(a.name, b.name) }
	slices.SortFunc(owned, less)
	slices.SortFunc(inBundle, less)
	if !slices.Equal(owned, inBundle) {
		t.Errorf("CSV owns %v, bundle/manifests has CRDs %v", owned, inBundle)
	}

	files, err := filepath.Glob(filepath.Join(repoRoot, "config/crd/bases/*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in config/crd/bases: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(raw, want); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got, ok := bundleCRDs[want.Name]
		if !ok {
			t.Errorf("CRD %s of %s is not in the bundle; run make bundle", want.Name, f)
			continue
		}
		if !equality.Semantic.DeepEqual(got.Spec, want.Spec) {
			t.Errorf("bundle's CRD %s differs from %s; run make bundle", want.Name, f)
		}
	}
}

// TestCSVInstallsUnderOLM checks what OLM needs of the CSV to run the operator: the manager
// takes its webhook certificate from OLM at the path OLM mounts it, with leader election;
// nothing else is mounted there; every webhook of config/webhook is defined and served by the
// deployment; and the operator installs for all namespaces only.
func TestCSVInstallsUnderOLM(t *testing.T) {
	csv := loadBundle(t).CSV
	deployments := csv.Spec.InstallStrategy.StrategySpec.DeploymentSpecs
	if len(deployments) != 1 {
		t.Fatalf("CSV has %d deployments, want 1", len(deployments))
	}
	dep := deployments[0]
	var args []string
	found := false
	for _, c := range dep.Spec.Template.Spec.Containers {
		if c.Name == managerContainer {
			found, args = true, c.Args
			if c.Image == "" || c.Image == "controller:latest" {
				t.Errorf("manager image is %q, want a published image", c.Image)
			}
			if csv.Annotations["containerImage"] != c.Image {
				t.Errorf("containerImage annotation %q differs from the manager image %q", csv.Annotations["containerImage"], c.Image)
			}
			for _, m := range c.VolumeMounts {
				if filepath.Clean(m.MountPath) == olmWebhookCertDir {
					t.Errorf("volume %s is mounted at %s, where OLM mounts the webhook certificate", m.Name, olmWebhookCertDir)
				}
			}
		}
	}
	if !found {
		t.Fatalf("deployment %s has no %s container", dep.Name, managerContainer)
	}
	for _, arg := range []string{"--leader-elect", "--webhook-cert-management=external", "--webhook-cert-path=" + olmWebhookCertDir} {
		if !slices.Contains(args, arg) {
			t.Errorf("manager args %v lack %s", args, arg)
		}
	}

	raw, err := os.ReadFile(filepath.Join(repoRoot, "config/webhook/manifests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Decode(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	matchConditions := map[string]bool{}
	for _, o := range objs {
		hooks, err := webhooksOf([]*unstructured.Unstructured{o})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hooks {
			want = append(want, h.name)
			matchConditions[h.name] = h.matchConditions > 0
		}
	}
	var got []string
	for _, w := range csv.Spec.WebhookDefinitions {
		got = append(got, w.GenerateName)
		if w.DeploymentName != dep.Name {
			t.Errorf("webhook %s is served by %q, want deployment %s", w.GenerateName, w.DeploymentName, dep.Name)
		}
		if w.TargetPort == nil || w.TargetPort.IntValue() != 9443 {
			t.Errorf("webhook %s targets port %v, want the manager's webhook port 9443", w.GenerateName, w.TargetPort)
		}
		if matchConditions[w.GenerateName] && (w.FailurePolicy == nil || *w.FailurePolicy != admissionregistrationv1.Ignore) {
			t.Errorf("webhook %s has matchConditions in config/webhook, which OLM drops; it must fail open", w.GenerateName)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("CSV defines webhooks %v, config/webhook has %v", got, want)
	}

	supported := map[v1alpha1.InstallModeType]bool{}
	for _, m := range csv.Spec.InstallModes {
		supported[m.Type] = m.Supported
	}
	wantModes := map[v1alpha1.InstallModeType]bool{
		v1alpha1.InstallModeTypeOwnNamespace: false, v1alpha1.InstallModeTypeSingleNamespace: false,
		v1alpha1.InstallModeTypeMultiNamespace: false, v1alpha1.InstallModeTypeAllNamespaces: true,
	}
	if !equality.Semantic.DeepEqual(supported, wantModes) {
		t.Errorf("install modes %v, want %v", supported, wantModes)
	}
}

// TestCSVPresentation checks what OperatorHub and consoles show: an SVG icon, an example of
// every owned kind, and the alpha maturity.
func TestCSVPresentation(t *testing.T) {
	csv := loadBundle(t).CSV
	if len(csv.Spec.Icon) != 1 || csv.Spec.Icon[0].MediaType != "image/svg+xml" {
		t.Fatalf("icon %v, want one image/svg+xml", csv.Spec.Icon)
	}
	svg, err := base64.StdEncoding.DecodeString(csv.Spec.Icon[0].Data)
	if err != nil || !strings.Contains(string(svg), "<svg") {
		t.Errorf("icon does not decode to an SVG image: %v", err)
	}
	var examples []unstructured.Unstructured
	if err := json.Unmarshal([]byte(csv.Annotations["alm-examples"]), &examples); err != nil {
		t.Fatalf("alm-examples: %v", err)
	}
	kinds := map[string]bool{}
	for _, e := range examples {
		kinds[e.GetKind()] = true
	}
	for _, d := range csv.Spec.CustomResourceDefinitions.Owned {
		if !kinds[d.Kind] {
			t.Errorf("alm-examples has no %s", d.Kind)
		}
	}
	if csv.Spec.Maturity != "alpha" {
		t.Errorf("maturity %q, want alpha", csv.Spec.Maturity)
	}
}
