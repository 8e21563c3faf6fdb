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
	"fmt"

	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// csvPermissions are the RBAC rules of the CSV's install strategy.
type csvPermissions struct {
	// cluster are granted cluster-wide (clusterPermissions).
	cluster []v1alpha1.StrategyDeploymentPermissions
	// namespaced are granted in the operator's namespace (permissions).
	namespaced []v1alpha1.StrategyDeploymentPermissions
}

// absorbRBAC moves the RBAC that config/default grants the deployment's ServiceAccount into
// CSV permissions: ClusterRoles bound by ClusterRoleBindings become clusterPermissions, Roles
// (or ClusterRoles) bound by RoleBindings in the operator's namespace become permissions.
// OLM creates the ServiceAccount, the roles and the bindings itself, so those objects leave
// the bundle; every other RBAC object (the admin, editor and viewer roles for users, say) is
// kept as a manifest.
func absorbRBAC(inv *inventory, dep *appsv1.Deployment) (*csvPermissions, error) {
	sa := dep.Spec.Template.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	ns := dep.Namespace

	roles := map[string]*rbacv1.Role{}
	for _, u := range inv.roles {
		r := &rbacv1.Role{}
		if err := fromUnstructured(u, r); err != nil {
			return nil, err
		}
		roles[r.Namespace+"/"+r.Name] = r
	}
	clusterRoles := map[string]*rbacv1.ClusterRole{}
	for _, u := range inv.clusterRoles {
		r := &rbacv1.ClusterRole{}
		if err := fromUnstructured(u, r); err != nil {
			return nil, err
		}
		clusterRoles[r.Name] = r
	}
	absorbed := map[string]bool{}
	clusterRules, err := grantedRules(inv.clusterRoleBindings, sa, ns, roles, clusterRoles, absorbed, true)
	if err != nil {
		return nil, err
	}
	namespacedRules, err := grantedRules(inv.roleBindings, sa, ns, roles, clusterRoles, absorbed, false)
	if err != nil {
		return nil, err
	}

	perms := &csvPermissions{}
	if len(clusterRules) > 0 {
		perms.cluster = []v1alpha1.StrategyDeploymentPermissions{{ServiceAccountName: sa, Rules: clusterRules}}
	}
	if len(namespacedRules) > 0 {
		perms.namespaced = []v1alpha1.StrategyDeploymentPermissions{{ServiceAccountName: sa, Rules: namespacedRules}}
	}
	for _, group := range [][]*unstructured.Unstructured{inv.serviceAccounts, inv.roles, inv.clusterRoles, inv.roleBindings, inv.clusterRoleBindings} {
		for _, u := range group {
			if u.GetKind() == "ServiceAccount" && u.GetName() == sa && u.GetNamespace() == ns {
				continue
			}
			if !absorbed[objectKey(u)] {
				inv.extras = append(inv.extras, u)
			}
		}
	}
	inv.serviceAccounts, inv.roles, inv.clusterRoles, inv.roleBindings, inv.clusterRoleBindings = nil, nil, nil, nil, nil
	return perms, nil
}

// grantedRules returns the rules that bindings (ClusterRoleBindings when cluster is true,
// RoleBindings otherwise) grant the ServiceAccount ns/sa, and marks those bindings and their
// roles absorbed.
func grantedRules(bindings []*unstructured.Unstructured, sa, ns string, roles map[string]*rbacv1.Role,
	clusterRoles map[string]*rbacv1.ClusterRole, absorbed map[string]bool, cluster bool) ([]rbacv1.PolicyRule, error) {
	var rules []rbacv1.PolicyRule
	for _, u := range bindings {
		var subjects []rbacv1.Subject
		var ref rbacv1.RoleRef
		if cluster {
			b := &rbacv1.ClusterRoleBinding{}
			if err := fromUnstructured(u, b); err != nil {
				return nil, err
			}
			subjects, ref = b.Subjects, b.RoleRef
		} else {
			b := &rbacv1.RoleBinding{}
			if err := fromUnstructured(u, b); err != nil {
				return nil, err
			}
			subjects, ref = b.Subjects, b.RoleRef
		}
		if !bindsServiceAccount(subjects, sa, ns, u.GetNamespace()) {
			continue
		}
		if len(subjects) != 1 {
			return nil, fmt.Errorf("%s %s binds the operator's ServiceAccount and other subjects; bind them separately", u.GetKind(), u.GetName())
		}
		if !cluster && u.GetNamespace() != ns {
			return nil, fmt.Errorf("RoleBinding %s/%s grants the operator rights outside its namespace %s, which a CSV cannot express",
				u.GetNamespace(), u.GetName(), ns)
		}
		switch {
		case ref.Kind == "ClusterRole" && clusterRoles[ref.Name] != nil:
			r := clusterRoles[ref.Name]
			if r.AggregationRule != nil {
				return nil, fmt.Errorf("%s %s binds aggregated ClusterRole %s, whose rules the bundle cannot list", u.GetKind(), u.GetName(), r.Name)
			}
			rules = append(rules, r.Rules...)
			absorbed["ClusterRole//"+r.Name] = true
		case ref.Kind == "Role" && !cluster && roles[u.GetNamespace()+"/"+ref.Name] != nil:
			r := roles[u.GetNamespace()+"/"+ref.Name]
			rules = append(rules, r.Rules...)
			absorbed["Role/"+r.Namespace+"/"+r.Name] = true
		default:
			return nil, fmt.Errorf("%s %s grants %s %s, which config/manifests does not include; OLM grants only rules listed in the CSV",
				u.GetKind(), u.GetName(), ref.Kind, ref.Name)
		}
		absorbed[objectKey(u)] = true
	}
	return rules, nil
}

// bindsServiceAccount reports whether subjects name the ServiceAccount ns/sa. A RoleBinding's
// ServiceAccount subject without a namespace is in the binding's namespace.
func bindsServiceAccount(subjects []rbacv1.Subject, sa, ns, bindingNamespace string) bool {
	for _, s := range subjects {
		subjectNamespace := s.Namespace
		if subjectNamespace == "" {
			subjectNamespace = bindingNamespace
		}
		if s.Kind == rbacv1.ServiceAccountKind && s.Name == sa && subjectNamespace == ns {
			return true
		}
	}
	return false
}

// objectKey identifies an object of inv by kind, namespace and name.
func objectKey(u *unstructured.Unstructured) string {
	return u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

// fromUnstructured converts u into the typed object into.
func fromUnstructured(u *unstructured.Unstructured, into any) error {
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into); err != nil {
		return fmt.Errorf("decoding %s %s: %w", u.GetKind(), u.GetName(), err)
	}
	return nil
}
