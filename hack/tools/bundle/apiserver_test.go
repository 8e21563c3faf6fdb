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
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// TestAPIServerAcceptsBundleAndInstaller starts a real kube-apiserver and etcd (bin/, from
// `make controlplane`) and checks that it accepts what OLM would create from the bundle (the
// CSV's deployment, its permissions as roles, the webhook configurations OLM builds from the
// webhook definitions, and the other manifests; all as server-side dry runs), then that
// `kubectl apply -f dist/install.yaml` works as docs/install-olm.md says, and so does
// `kubectl apply -k config/overlays/registry-notifications`.
func TestAPIServerAcceptsBundleAndInstaller(t *testing.T) {
	binDir, err := filepath.Abs(filepath.Join(repoRoot, "bin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, bin := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(binDir, bin)); err != nil {
			t.Fatalf("%s: run `make controlplane` once to build the control plane from Go modules", err)
		}
	}
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl is needed to check dist/install.yaml: %v", err)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: binDir}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting the control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	c, err := client.New(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	b := loadBundle(t)
	const ns = "operators"
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	dryRun := func(obj client.Object) {
		t.Helper()
		if err := c.Create(ctx, obj, client.DryRunAll); err != nil {
			t.Errorf("%T %s: %v", obj, obj.GetName(), err)
		}
	}
	for _, crd := range b.V1CRDs {
		dryRun(crd.DeepCopy())
	}
	for _, obj := range b.Objects {
		if obj.GetKind() == v1alpha1.ClusterServiceVersionKind || obj.GetKind() == "CustomResourceDefinition" {
			continue
		}
		u := obj.DeepCopy()
		if u.GetKind() == "Service" {
			u.SetNamespace(ns)
		}
		dryRun(u)
	}
	strategy := b.CSV.Spec.InstallStrategy.StrategySpec
	for _, d := range strategy.DeploymentSpecs {
		dryRun(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: d.Name, Namespace: ns, Labels: d.Label}, Spec: d.Spec})
	}
	for _, p := range strategy.ClusterPermissions {
		dryRun(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: p.ServiceAccountName}, Rules: p.Rules})
	}
	for _, p := range strategy.Permissions {
		dryRun(&rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: p.ServiceAccountName, Namespace: ns}, Rules: p.Rules})
	}
	mutating := &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "olm-mutating"}}
	validating := &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "olm-validating"}}
	for _, w := range b.CSV.Spec.WebhookDefinitions {
		switch w.Type {
		case v1alpha1.MutatingAdmissionWebhook:
			mutating.Webhooks = append(mutating.Webhooks, w.GetMutatingWebhook(ns, nil, []byte("ca")))
		case v1alpha1.ValidatingAdmissionWebhook:
			validating.Webhooks = append(validating.Webhooks, w.GetValidatingWebhook(ns, nil, []byte("ca")))
		default:
			t.Errorf("webhook %s has type %s", w.GenerateName, w.Type)
		}
	}
	dryRun(mutating)
	dryRun(validating)

	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	user, err := env.AddUser(envtest.User{Name: "installer", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kubeconfig, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(kubectl, "--kubeconfig", kubeconfig, "apply", "-f", filepath.Join(repoRoot, "dist/install.yaml")).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl apply -f dist/install.yaml: %v\n%s", err, out)
	}
	dep := &unstructured.Unstructured{}
	dep.SetAPIVersion("apps/v1")
	dep.SetKind("Deployment")
	if err := c.Get(ctx, client.ObjectKey{Namespace: "imagestream-operator-system", Name: "imagestream-operator-controller-manager"}, dep); err != nil {
		t.Errorf("after kubectl apply: %v", err)
	}

	// The registry-notifications overlay, as docs/registry-notifications.md applies it. No
	// operator serves the webhooks here, so their configurations go first (the apply makes
	// them again, after the Deployment).
	for _, obj := range []client.Object{
		&admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "imagestream-operator-mutating-webhook-configuration"}},
		&admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "imagestream-operator-validating-webhook-configuration"}},
	} {
		if err := c.Delete(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	overlay := filepath.Join(repoRoot, "config/overlays/registry-notifications")
	if out, err := exec.Command(kubectl, "--kubeconfig", kubeconfig, "apply", "-k", overlay).CombinedOutput(); err != nil {
		t.Fatalf("kubectl apply -k config/overlays/registry-notifications: %v\n%s", err, out)
	}
	svc := &corev1.Service{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: "imagestream-operator-system", Name: "imagestream-operator-webhook-service"}, svc); err != nil {
		t.Fatal(err)
	}
	var ports []int32
	for _, p := range svc.Spec.Ports {
		ports = append(ports, p.Port)
	}
	if len(ports) != 2 || ports[1] != 8444 {
		t.Errorf("the webhook Service's ports with the registry-notifications overlay are %v, want [443 8444]", ports)
	}
}
