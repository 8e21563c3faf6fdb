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
	"errors"
	"fmt"
	"io"

	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Options says what the bundle is called and which images and channels it names.
type Options struct {
	// Package is the OLM package name; the CSV is named <Package>.v<Version>.
	Package string
	// Version is the operator's semantic version, without a leading "v".
	Version string
	// Image is the manager image the CSV's deployment runs.
	Image string
	// Channels are the channels the bundle is published in.
	Channels []string
	// DefaultChannel is the package's default channel; the first channel when empty.
	DefaultChannel string
	// Icon is an SVG image shown by OperatorHub and consoles; none when empty.
	Icon []byte
}

// Bundle is a generated OLM bundle.
type Bundle struct {
	// Files holds each file's content by its path relative to the bundle directory
	// (manifests/... and metadata/annotations.yaml).
	Files map[string][]byte
	// Dockerfile is the bundle image's Dockerfile (bundle.Dockerfile at the repository root).
	Dockerfile []byte
}

// inventory sorts the objects of `kustomize build config/manifests` by what the bundle does
// with them.
type inventory struct {
	csvBase             *unstructured.Unstructured
	deployment          *unstructured.Unstructured
	crds                []*unstructured.Unstructured
	examples            []*unstructured.Unstructured
	webhookConfigs      []*unstructured.Unstructured
	services            []*unstructured.Unstructured
	serviceAccounts     []*unstructured.Unstructured
	roles               []*unstructured.Unstructured
	clusterRoles        []*unstructured.Unstructured
	roleBindings        []*unstructured.Unstructured
	clusterRoleBindings []*unstructured.Unstructured
	// extras are copied into bundle/manifests as they are.
	extras []*unstructured.Unstructured
}

const rbacGroup = "rbac.authorization.k8s.io"

// extraKinds are the further kinds OLM installs from a bundle's manifests directory (besides
// the CSV, CRDs and RBAC, which are handled on their own).
var extraKinds = map[schema.GroupKind]bool{
	{Kind: "ConfigMap"}: true,
	{Kind: "Secret"}:    true,
	{Group: "monitoring.coreos.com", Kind: "ServiceMonitor"}: true,
	{Group: "monitoring.coreos.com", Kind: "PrometheusRule"}: true,
	{Group: "policy", Kind: "PodDisruptionBudget"}:           true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:      true,
}

// Decode reads the multi-document YAML (or JSON) stream r into objects.
func Decode(r io.Reader) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	var objs []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decoding object %d: %w", len(objs)+1, err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		objs = append(objs, obj)
	}
}

// Generate builds the bundle from objs, the output of `kustomize build config/manifests`:
// the CSV base, config/default and the examples.
func Generate(objs []*unstructured.Unstructured, opts Options) (*Bundle, error) {
	if opts.Package == "" || opts.Version == "" || opts.Image == "" || len(opts.Channels) == 0 {
		return nil, errors.New("package, version, image and at least one channel are required")
	}
	if opts.DefaultChannel == "" {
		opts.DefaultChannel = opts.Channels[0]
	}
	inv, err := classify(objs)
	if err != nil {
		return nil, err
	}
	csv, err := buildCSV(inv, opts)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Files: map[string][]byte{}}
	if err := b.add(csvFileName(opts.Package), csv); err != nil {
		return nil, err
	}
	for _, crd := range inv.crds {
		if err := b.add(crdFileName(crd), crd); err != nil {
			return nil, err
		}
	}
	for _, obj := range inv.extras {
		if err := b.add(objectFileName(obj), obj); err != nil {
			return nil, err
		}
	}
	b.Files["metadata/annotations.yaml"] = annotationsFile(opts)
	b.Dockerfile = dockerfile(opts)
	return b, nil
}

// classify sorts objs into an inventory. Kinds that OLM cannot install from a bundle are an
// error, so that nothing of config/default is silently left out.
func classify(objs []*unstructured.Unstructured) (*inventory, error) {
	inv := &inventory{}
	crdGroups := map[string]bool{}
	for _, obj := range objs {
		if obj.GroupVersionKind().GroupKind() == (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
			group, _, _ := unstructured.NestedString(obj.Object, "spec", "group")
			crdGroups[group] = true
		}
	}
	for _, obj := range objs {
		gk := obj.GroupVersionKind().GroupKind()
		switch {
		case gk == schema.GroupKind{Group: v1alpha1.GroupName, Kind: v1alpha1.ClusterServiceVersionKind}:
			if inv.csvBase != nil {
				return nil, fmt.Errorf("more than one ClusterServiceVersion: %s and %s", inv.csvBase.GetName(), obj.GetName())
			}
			inv.csvBase = obj
		case gk == schema.GroupKind{Group: "apps", Kind: "Deployment"}:
			if inv.deployment != nil {
				return nil, fmt.Errorf("more than one Deployment: %s and %s", inv.deployment.GetName(), obj.GetName())
			}
			inv.deployment = obj
		case gk == schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:
			inv.crds = append(inv.crds, obj)
		case crdGroups[gk.Group]:
			inv.examples = append(inv.examples, obj)
		case gk.Group == "admissionregistration.k8s.io" &&
			(gk.Kind == "MutatingWebhookConfiguration" || gk.Kind == "ValidatingWebhookConfiguration"):
			inv.webhookConfigs = append(inv.webhookConfigs, obj)
		case gk == schema.GroupKind{Kind: "Service"}:
			inv.services = append(inv.services, obj)
		case gk == schema.GroupKind{Kind: "ServiceAccount"}:
			inv.serviceAccounts = append(inv.serviceAccounts, obj)
		case gk == schema.GroupKind{Group: rbacGroup, Kind: "Role"}:
			inv.roles = append(inv.roles, obj)
		case gk == schema.GroupKind{Group: rbacGroup, Kind: "ClusterRole"}:
			inv.clusterRoles = append(inv.clusterRoles, obj)
		case gk == schema.GroupKind{Group: rbacGroup, Kind: "RoleBinding"}:
			inv.roleBindings = append(inv.roleBindings, obj)
		case gk == schema.GroupKind{Group: rbacGroup, Kind: "ClusterRoleBinding"}:
			inv.clusterRoleBindings = append(inv.clusterRoleBindings, obj)
		case gk == schema.GroupKind{Kind: "Namespace"}:
			// OLM installs into the namespace of the OperatorGroup.
		case extraKinds[gk]:
			inv.extras = append(inv.extras, obj)
		default:
			return nil, fmt.Errorf("%s %s cannot be part of an OLM bundle; leave it out of config/manifests or teach hack/tools/bundle about it",
				gk, obj.GetName())
		}
	}
	switch {
	case inv.csvBase == nil:
		return nil, errors.New("no ClusterServiceVersion base: config/manifests must include bases/*.clusterserviceversion.yaml")
	case inv.deployment == nil:
		return nil, errors.New("no Deployment: config/manifests must include config/default")
	case len(inv.crds) == 0:
		return nil, errors.New("no CustomResourceDefinition: config/manifests must include config/default")
	}
	return inv, nil
}
