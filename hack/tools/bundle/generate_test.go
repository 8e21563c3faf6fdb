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
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/operator-framework/api/pkg/manifests"
	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/yaml"
)

// fixture is a small `kustomize build config/manifests`: a CSV base, a CRD with an example,
// a deployment with a self-managed certificate volume, RBAC bound to its ServiceAccount and
// RBAC for users, a webhook Service, a metrics Service and two webhooks.
const fixture = `
apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata:
  name: demo.v0.0.0
  annotations:
    alm-examples: "[]"
spec:
  displayName: Demo
  customresourcedefinitions:
    owned:
    - name: widgets.demo.example.com
      kind: Widget
      version: v1
      displayName: Widget
      description: A widget.
  install:
    strategy: deployment
    spec:
      deployments: null
  version: 0.0.0
---
apiVersion: v1
kind: Namespace
metadata:
  name: demo-system
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.demo.example.com
spec:
  group: demo.example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: demo.example.com/v1
kind: Widget
metadata:
  name: example
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: demo-manager
  namespace: demo-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: demo-manager-role
rules:
- apiGroups: [demo.example.com]
  resources: [widgets]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: demo-widget-viewer
rules:
- apiGroups: [demo.example.com]
  resources: [widgets]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: demo-manager-rolebinding
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: demo-manager-role}
subjects:
- {kind: ServiceAccount, name: demo-manager, namespace: demo-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: demo-leader-election
  namespace: demo-system
rules:
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: demo-leader-election
  namespace: demo-system
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: demo-leader-election}
subjects:
- {kind: ServiceAccount, name: demo-manager, namespace: demo-system}
---
apiVersion: v1
kind: Service
metadata:
  name: demo-metrics
  namespace: demo-system
spec:
  ports: [{name: https, port: 8443, targetPort: 8443}]
  selector: {app: demo}
---
apiVersion: v1
kind: Service
metadata:
  name: demo-webhook
  namespace: demo-system
spec:
  ports: [{port: 443, targetPort: 9443}]
  selector: {app: demo}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo-manager
  namespace: demo-system
  labels: {app: demo}
spec:
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      serviceAccountName: demo-manager
      containers:
      - name: manager
        image: controller:latest
        args: [--leader-elect, --webhook-cert-path=/somewhere/else]
        resources:
          requests: {cpu: 10m, memory: 64Mi}
        volumeMounts:
        - {name: webhook-certs, mountPath: /tmp/k8s-webhook-server/serving-certs/}
        - {name: cache, mountPath: /cache}
      volumes:
      - name: webhook-certs
        emptyDir: {}
      - name: cache
        emptyDir: {}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: demo-mutating
webhooks:
- name: mpods.demo.example.com
  admissionReviewVersions: [v1]
  clientConfig:
    service: {name: demo-webhook, namespace: demo-system, path: /mutate-pods}
  failurePolicy: Fail
  sideEffects: None
  matchConditions:
  - {name: short-names, expression: "true"}
  rules:
  - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: demo-validating
webhooks:
- name: vwidget.demo.example.com
  admissionReviewVersions: [v1]
  clientConfig:
    service: {name: demo-webhook, namespace: demo-system, path: /validate-widget}
  failurePolicy: Fail
  sideEffects: None
  rules:
  - {apiGroups: [demo.example.com], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [widgets]}
`

// fixtureOptions are the options the fixture is generated with.
var fixtureOptions = Options{
	Package:  "demo",
	Version:  "1.2.3",
	Image:    "registry.example.com/demo:v1.2.3",
	Channels: []string{"candidate"},
	Icon:     []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`),
}

// generateFixture generates the bundle of input with fixtureOptions.
func generateFixture(t *testing.T, input string) (*Bundle, error) {
	t.Helper()
	objs, err := Decode(strings.NewReader(input))
	if err != nil {
		t.Fatalf("decoding fixture: %v", err)
	}
	return Generate(objs, fixtureOptions)
}

// writeAndLoad writes b to a temporary directory and loads it with operator-framework/api.
func writeAndLoad(t *testing.T, b *Bundle) *manifests.Bundle {
	t.Helper()
	dir := t.TempDir()
	if err := b.Write(filepath.Join(dir, "bundle"), filepath.Join(dir, "bundle.Dockerfile")); err != nil {
		t.Fatal(err)
	}
	loaded, err := manifests.GetBundleFromDir(filepath.Join(dir, "bundle"))
	if err != nil {
		t.Fatalf("loading the generated bundle: %v", err)
	}
	return loaded
}

func TestGenerateFixture(t *testing.T) {
	b, err := generateFixture(t, fixture)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range b.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	want := []string{
		"manifests/demo-metrics_v1_service.yaml",
		"manifests/demo-widget-viewer_rbac.authorization.k8s.io_v1_clusterrole.yaml",
		"manifests/demo.clusterserviceversion.yaml",
		"manifests/demo.example.com_widgets.yaml",
		"metadata/annotations.yaml",
	}
	if !slices.Equal(names, want) {
		t.Errorf("files %v, want %v (the operator's ServiceAccount, bound roles, bindings, namespace and webhook Service absorbed)", names, want)
	}

	csv := writeAndLoad(t, b).CSV
	if csv.Name != "demo.v1.2.3" || csv.Spec.Version.String() != "1.2.3" || csv.Namespace != "" {
		t.Errorf("CSV %s/%s version %s, want demo.v1.2.3 version 1.2.3 without namespace", csv.Namespace, csv.Name, csv.Spec.Version)
	}
	if csv.Annotations["containerImage"] != fixtureOptions.Image {
		t.Errorf("containerImage %q", csv.Annotations["containerImage"])
	}
	if !strings.Contains(csv.Annotations["alm-examples"], `"kind": "Widget"`) {
		t.Errorf("alm-examples %s lacks the Widget example", csv.Annotations["alm-examples"])
	}

	dep := csv.Spec.InstallStrategy.StrategySpec.DeploymentSpecs[0]
	c := dep.Spec.Template.Spec.Containers[0]
	if c.Image != fixtureOptions.Image {
		t.Errorf("manager image %q", c.Image)
	}
	wantArgs := []string{"--leader-elect", "--webhook-cert-management=external", "--webhook-cert-path=" + olmWebhookCertDir}
	if !slices.Equal(c.Args, wantArgs) {
		t.Errorf("args %v, want %v", c.Args, wantArgs)
	}
	if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].Name != "cache" {
		t.Errorf("volume mounts %v, want only cache (OLM mounts its certificate where webhook-certs was)", c.VolumeMounts)
	}
	if v := dep.Spec.Template.Spec.Volumes; len(v) != 1 || v[0].Name != "cache" {
		t.Errorf("volumes %v, want only cache", v)
	}

	perms := csv.Spec.InstallStrategy.StrategySpec
	if len(perms.ClusterPermissions) != 1 || perms.ClusterPermissions[0].ServiceAccountName != "demo-manager" ||
		len(perms.ClusterPermissions[0].Rules) != 1 || perms.ClusterPermissions[0].Rules[0].Resources[0] != "widgets" {
		t.Errorf("clusterPermissions %+v, want the rules of demo-manager-role for demo-manager", perms.ClusterPermissions)
	}
	if len(perms.Permissions) != 1 || perms.Permissions[0].Rules[0].Resources[0] != "leases" {
		t.Errorf("permissions %+v, want the rules of the leader election Role", perms.Permissions)
	}

	hooks := map[string]v1alpha1.WebhookDescription{}
	for _, w := range csv.Spec.WebhookDefinitions {
		hooks[w.GenerateName] = w
	}
	m, v := hooks["mpods.demo.example.com"], hooks["vwidget.demo.example.com"]
	if m.Type != v1alpha1.MutatingAdmissionWebhook || *m.FailurePolicy != admissionregistrationv1.Ignore {
		t.Errorf("mutating webhook %+v: want type Mutating, failurePolicy Ignore (its matchConditions cannot be kept)", m)
	}
	if v.Type != v1alpha1.ValidatingAdmissionWebhook || *v.FailurePolicy != admissionregistrationv1.Fail {
		t.Errorf("validating webhook %+v: want type Validating, failurePolicy Fail", v)
	}
	for _, w := range []v1alpha1.WebhookDescription{m, v} {
		if w.DeploymentName != "demo-manager" || w.ContainerPort != 443 || w.TargetPort.IntValue() != 9443 || w.WebhookPath == nil {
			t.Errorf("webhook %s: deployment %q, ports %d -> %v, path %v; want demo-manager, 443 -> 9443 and a path",
				w.GenerateName, w.DeploymentName, w.ContainerPort, w.TargetPort, w.WebhookPath)
		}
	}
	if len(csv.Spec.Icon) != 1 || csv.Spec.Icon[0].MediaType != "image/svg+xml" {
		t.Errorf("icon %v", csv.Spec.Icon)
	}

	var annotations struct {
		Annotations map[string]string `json:"annotations"`
	}
	if err := yaml.Unmarshal(b.Files["metadata/annotations.yaml"], &annotations); err != nil {
		t.Fatal(err)
	}
	if annotations.Annotations["operators.operatorframework.io.bundle.package.v1"] != "demo" ||
		annotations.Annotations["operators.operatorframework.io.bundle.channel.default.v1"] != "candidate" {
		t.Errorf("annotations %v", annotations.Annotations)
	}
	if !bytes.Contains(b.Dockerfile, []byte("LABEL operators.operatorframework.io.bundle.package.v1=demo\n")) {
		t.Errorf("Dockerfile lacks the package label:\n%s", b.Dockerfile)
	}
}

// TestGenerateIsDeterministic generates the fixture twice: the bytes must not change, or the
// check that the committed bundle is up to date could never pass.
func TestGenerateIsDeterministic(t *testing.T) {
	first, err := generateFixture(t, fixture)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, err := generateFixture(t, fixture)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Files) != len(first.Files) || !bytes.Equal(again.Dockerfile, first.Dockerfile) {
			t.Fatal("a second run produced different files")
		}
		for name, data := range first.Files {
			if !bytes.Equal(again.Files[name], data) {
				t.Fatalf("a second run wrote %s differently", name)
			}
		}
	}
}

// TestWriteRemovesStaleFiles checks that a manifest of an object no longer generated does
// not survive `make bundle`.
func TestWriteRemovesStaleFiles(t *testing.T) {
	b, err := generateFixture(t, fixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stale := filepath.Join(dir, "manifests", "removed_v1_configmap.yaml")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("kind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(dir, filepath.Join(dir, "bundle.Dockerfile")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale manifest still there (stat: %v)", err)
	}
}

// TestGenerateRejects checks inputs the generator must refuse rather than turn into a bundle
// that installs something else than config/default.
func TestGenerateRejects(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(string) string
		wantErr string
	}{{
		name: "a kind OLM cannot install",
		edit: func(s string) string {
			return s + "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: demo\n"
		},
		wantErr: "cannot be part of an OLM bundle",
	}, {
		name: "a CRD the CSV base does not describe",
		edit: func(s string) string {
			return strings.Replace(s, "name: widgets.demo.example.com\n      kind", "name: gadgets.demo.example.com\n      kind", 1)
		},
		wantErr: "does not include",
	}, {
		name: "a webhook that calls a URL",
		edit: func(s string) string {
			return strings.Replace(s, "service: {name: demo-webhook, namespace: demo-system, path: /validate-widget}", "url: https://example.com/validate", 1)
		},
		wantErr: "calls a URL",
	}, {
		name: "a binding of the operator to a role that is not in the bundle",
		edit: func(s string) string {
			return strings.Replace(s, "kind: ClusterRole, name: demo-manager-role}", "kind: ClusterRole, name: cluster-admin}", 1)
		},
		wantErr: "does not include",
	}, {
		name:    "a deployment without a manager container",
		edit:    func(s string) string { return strings.Replace(s, "- name: manager\n", "- name: operator\n", 1) },
		wantErr: `no container named "manager"`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := tt.edit(fixture)
			if input == fixture {
				t.Fatal("the edit did not change the fixture")
			}
			_, err := generateFixture(t, input)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestSetFlag(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{nil, []string{"--a=x"}},
		{[]string{"--b", "--a=y"}, []string{"--b", "--a=x"}},
		{[]string{"--a", "--ab=1"}, []string{"--ab=1", "--a=x"}},
	}
	for _, tt := range tests {
		if got := setFlag(tt.args, "--a", "x"); !slices.Equal(got, tt.want) {
			t.Errorf("setFlag(%v) = %v, want %v", tt.args, got, tt.want)
		}
	}
}
