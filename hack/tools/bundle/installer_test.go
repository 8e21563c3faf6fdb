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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// TestInstallerRunsTheOperator checks the committed dist/install.yaml (`make verify-bundle`
// checks that it is what `make build-installer` writes): it installs the CRDs, the webhooks
// and one manager with leader election and self-managed webhook certificates, running the
// same image as the bundle.
func TestInstallerRunsTheOperator(t *testing.T) {
	f, err := os.Open(filepath.Join(repoRoot, "dist/install.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	objs, err := Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	var dep *appsv1.Deployment
	for _, o := range objs {
		kinds[o.GetKind()]++
		if o.GetKind() == "Deployment" {
			dep = &appsv1.Deployment{}
			if err := fromUnstructured(o, dep); err != nil {
				t.Fatal(err)
			}
		}
	}
	crds, _ := filepath.Glob(filepath.Join(repoRoot, "config/crd/bases/*.yaml"))
	if kinds["CustomResourceDefinition"] != len(crds) || len(crds) == 0 {
		t.Errorf("%d CRDs, want the %d of config/crd/bases", kinds["CustomResourceDefinition"], len(crds))
	}
	for _, k := range []string{"Namespace", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"} {
		if kinds[k] != 1 {
			t.Errorf("%d %s objects, want 1", kinds[k], k)
		}
	}
	if dep == nil {
		t.Fatal("no Deployment")
	}
	var manager *corev1.Container
	for i := range dep.Spec.Template.Spec.Containers {
		if c := &dep.Spec.Template.Spec.Containers[i]; c.Name == managerContainer {
			manager = c
		}
	}
	if manager == nil {
		t.Fatalf("deployment %s has no %s container", dep.Name, managerContainer)
	}
	if !slices.Contains(manager.Args, "--leader-elect") {
		t.Errorf("manager args %v lack --leader-elect", manager.Args)
	}
	for _, a := range manager.Args {
		if strings.HasPrefix(a, "--webhook-cert-management=") {
			t.Errorf("manager args have %s; the installer uses the default, self-managed certificates", a)
		}
	}
	if !slices.ContainsFunc(manager.Env, func(e corev1.EnvVar) bool { return e.Name == "POD_NAMESPACE" }) {
		t.Errorf("manager env %v lacks POD_NAMESPACE, where self-managed certificates are kept", manager.Env)
	}
	csv := loadBundle(t).CSV
	if want := csv.Annotations["containerImage"]; manager.Image != want {
		t.Errorf("installer runs image %q, the bundle %q; regenerate both with the same IMG", manager.Image, want)
	}
}
