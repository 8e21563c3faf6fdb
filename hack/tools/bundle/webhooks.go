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
	"sort"

	"github.com/operator-framework/api/pkg/operators/v1alpha1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// webhook is one webhook of a Mutating- or ValidatingWebhookConfiguration, with the fields
// the two kinds share.
type webhook struct {
	kind                    v1alpha1.WebhookAdmissionType
	name                    string
	clientConfig            admissionregistrationv1.WebhookClientConfig
	rules                   []admissionregistrationv1.RuleWithOperations
	failurePolicy           *admissionregistrationv1.FailurePolicyType
	matchPolicy             *admissionregistrationv1.MatchPolicyType
	namespaceSelector       *metav1.LabelSelector
	objectSelector          *metav1.LabelSelector
	sideEffects             *admissionregistrationv1.SideEffectClass
	timeoutSeconds          *int32
	admissionReviewVersions []string
	reinvocationPolicy      *admissionregistrationv1.ReinvocationPolicyType
	matchConditions         int
}

// webhookDefinitions turns the webhook configurations of inv into the CSV's webhook
// definitions, served by dep. OLM creates the webhook configurations, their Service and the
// serving certificate itself, so the configurations and the Services they call leave the
// bundle.
//
// OLM's webhook definitions cannot carry matchConditions. A webhook that has them (the
// image lookup mutator and the triggers validator, which in config/ only see the few objects
// that use image streams) would otherwise see every Pod or workload of the cluster and, with
// failurePolicy Fail, make them all depend on the operator being up, its own Pods included.
// Such webhooks get failurePolicy Ignore in the bundle.
func webhookDefinitions(inv *inventory, dep *appsv1.Deployment) ([]v1alpha1.WebhookDescription, error) {
	hooks, err := webhooksOf(inv.webhookConfigs)
	if err != nil {
		return nil, err
	}
	services := map[string]*corev1.Service{}
	for _, u := range inv.services {
		svc := &corev1.Service{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, svc); err != nil {
			return nil, fmt.Errorf("decoding service %s: %w", u.GetName(), err)
		}
		services[svc.Namespace+"/"+svc.Name] = svc
	}
	called := map[string]bool{}
	defs := make([]v1alpha1.WebhookDescription, 0, len(hooks))
	for _, h := range hooks {
		ref := h.clientConfig.Service
		if ref == nil {
			return nil, fmt.Errorf("webhook %s calls a URL; under OLM a webhook must be served by the CSV's deployment", h.name)
		}
		svc, ok := services[ref.Namespace+"/"+ref.Name]
		if !ok {
			return nil, fmt.Errorf("webhook %s calls service %s/%s, which config/manifests does not include", h.name, ref.Namespace, ref.Name)
		}
		if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(dep.Spec.Template.Labels)) {
			return nil, fmt.Errorf("webhook %s: service %s does not select the pods of deployment %s", h.name, svc.Name, dep.Name)
		}
		port := ptr.Deref(ref.Port, 443)
		targetPort, err := serviceTargetPort(svc, port)
		if err != nil {
			return nil, fmt.Errorf("webhook %s: %w", h.name, err)
		}
		if h.namespaceSelector != nil {
			return nil, fmt.Errorf("webhook %s has a namespaceSelector; OLM sets it from the OperatorGroup", h.name)
		}
		failurePolicy := h.failurePolicy
		if h.matchConditions > 0 {
			failurePolicy = ptr.To(admissionregistrationv1.Ignore)
		}
		called[svc.Namespace+"/"+svc.Name] = true
		defs = append(defs, v1alpha1.WebhookDescription{
			GenerateName:            h.name,
			Type:                    h.kind,
			DeploymentName:          dep.Name,
			ContainerPort:           port,
			TargetPort:              targetPort,
			Rules:                   h.rules,
			FailurePolicy:           failurePolicy,
			MatchPolicy:             h.matchPolicy,
			ObjectSelector:          h.objectSelector,
			SideEffects:             h.sideEffects,
			TimeoutSeconds:          h.timeoutSeconds,
			AdmissionReviewVersions: h.admissionReviewVersions,
			ReinvocationPolicy:      h.reinvocationPolicy,
			WebhookPath:             ref.Path,
		})
	}
	sort.Slice(defs, func(i, j int) bool {
		if defs[i].Type != defs[j].Type {
			return defs[i].Type < defs[j].Type
		}
		return defs[i].GenerateName < defs[j].GenerateName
	})
	for _, u := range inv.services {
		if !called[u.GetNamespace()+"/"+u.GetName()] {
			inv.extras = append(inv.extras, u)
		}
	}
	inv.services = nil
	return defs, nil
}

// webhooksOf lists the webhooks of the given configurations.
func webhooksOf(configs []*unstructured.Unstructured) ([]webhook, error) {
	var hooks []webhook
	for _, u := range configs {
		switch u.GetKind() {
		case "MutatingWebhookConfiguration":
			c := &admissionregistrationv1.MutatingWebhookConfiguration{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, c); err != nil {
				return nil, fmt.Errorf("decoding %s: %w", u.GetName(), err)
			}
			for _, w := range c.Webhooks {
				hooks = append(hooks, webhook{
					kind: v1alpha1.MutatingAdmissionWebhook, name: w.Name, clientConfig: w.ClientConfig,
					rules: w.Rules, failurePolicy: w.FailurePolicy, matchPolicy: w.MatchPolicy,
					namespaceSelector: nonEmpty(w.NamespaceSelector), objectSelector: nonEmpty(w.ObjectSelector),
					sideEffects: w.SideEffects, timeoutSeconds: w.TimeoutSeconds,
					admissionReviewVersions: w.AdmissionReviewVersions, reinvocationPolicy: w.ReinvocationPolicy,
					matchConditions: len(w.MatchConditions),
				})
			}
		case "ValidatingWebhookConfiguration":
			c := &admissionregistrationv1.ValidatingWebhookConfiguration{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, c); err != nil {
				return nil, fmt.Errorf("decoding %s: %w", u.GetName(), err)
			}
			for _, w := range c.Webhooks {
				hooks = append(hooks, webhook{
					kind: v1alpha1.ValidatingAdmissionWebhook, name: w.Name, clientConfig: w.ClientConfig,
					rules: w.Rules, failurePolicy: w.FailurePolicy, matchPolicy: w.MatchPolicy,
					namespaceSelector: nonEmpty(w.NamespaceSelector), objectSelector: nonEmpty(w.ObjectSelector),
					sideEffects: w.SideEffects, timeoutSeconds: w.TimeoutSeconds,
					admissionReviewVersions: w.AdmissionReviewVersions,
					matchConditions:         len(w.MatchConditions),
				})
			}
		}
	}
	return hooks, nil
}

// serviceTargetPort is the target port of svc's port number port.
func serviceTargetPort(svc *corev1.Service, port int32) (*intstr.IntOrString, error) {
	for _, p := range svc.Spec.Ports {
		if p.Port != port {
			continue
		}
		if p.TargetPort.IntValue() == 0 && p.TargetPort.Type == intstr.Int {
			return ptr.To(intstr.FromInt32(port)), nil
		}
		return ptr.To(p.TargetPort), nil
	}
	return nil, fmt.Errorf("service %s has no port %d", svc.Name, port)
}

// nonEmpty returns s, or nil when it selects everything.
func nonEmpty(s *metav1.LabelSelector) *metav1.LabelSelector {
	if s == nil || (len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0) {
		return nil
	}
	return s
}
