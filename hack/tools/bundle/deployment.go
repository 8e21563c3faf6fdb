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
	"path"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// olmWebhookCertDir is where OLM mounts the serving certificate (tls.crt, tls.key) it issues
// for a deployment that serves webhook definitions.
const olmWebhookCertDir = "/tmp/k8s-webhook-server/serving-certs"

// managerContainer is the name of the operator's container in config/manager.
const managerContainer = "manager"

// olmDeployment turns the Deployment of config/default into the CSV's install strategy entry
// (a generic JSON value) and returns it also typed. Under OLM the manager runs the given
// image and takes its webhook certificate from OLM (--webhook-cert-management=external,
// read from olmWebhookCertDir); the volume config/default mounts there for self-managed
// certificates is removed, since OLM mounts its own Secret at that path.
func olmDeployment(u *unstructured.Unstructured, image string) (map[string]any, *appsv1.Deployment, error) {
	obj := u.DeepCopy()
	podSpec, ok, err := unstructured.NestedMap(obj.Object, "spec", "template", "spec")
	if err != nil || !ok {
		return nil, nil, fmt.Errorf("deployment %s has no pod template", obj.GetName())
	}
	containers, _ := podSpec["containers"].([]any)
	manager := -1
	for i, c := range containers {
		if c, ok := c.(map[string]any); ok && c["name"] == managerContainer {
			manager = i
		}
	}
	if manager < 0 {
		return nil, nil, fmt.Errorf("deployment %s has no container named %q", obj.GetName(), managerContainer)
	}
	container := containers[manager].(map[string]any)
	container["image"] = image
	args, err := stringSlice(container["args"])
	if err != nil {
		return nil, nil, fmt.Errorf("deployment %s, container %s: args: %w", obj.GetName(), managerContainer, err)
	}
	args = setFlag(args, "--webhook-cert-management", "external")
	args = setFlag(args, "--webhook-cert-path", olmWebhookCertDir)
	container["args"] = toAnySlice(args)
	removeMountsAt(podSpec, olmWebhookCertDir)
	if err := unstructured.SetNestedMap(obj.Object, podSpec, "spec", "template", "spec"); err != nil {
		return nil, nil, fmt.Errorf("deployment %s: %w", obj.GetName(), err)
	}

	typed := &appsv1.Deployment{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, typed); err != nil {
		return nil, nil, fmt.Errorf("decoding deployment %s: %w", obj.GetName(), err)
	}
	if typed.Spec.Selector == nil || len(typed.Spec.Selector.MatchLabels) == 0 {
		return nil, nil, fmt.Errorf("deployment %s needs spec.selector.matchLabels: OLM selects the webhook Service's pods with them", obj.GetName())
	}
	entry := map[string]any{
		"name": obj.GetName(),
		"spec": obj.Object["spec"],
	}
	if labels := obj.GetLabels(); len(labels) > 0 {
		l := map[string]any{}
		for k, v := range labels {
			l[k] = v
		}
		entry["label"] = l
	}
	return entry, typed, nil
}

// setFlag returns args with --name=value, replacing any earlier value of the flag.
func setFlag(args []string, name, value string) []string {
	out := make([]string, 0, len(args)+1)
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			continue
		}
		out = append(out, a)
	}
	return append(out, name+"="+value)
}

// removeMountsAt removes the volume mounts at dir from every container of podSpec, and the
// volumes that are then mounted nowhere.
func removeMountsAt(podSpec map[string]any, dir string) {
	dir = path.Clean(dir)
	removed := map[string]bool{}
	used := map[string]bool{}
	for _, key := range []string{"initContainers", "containers"} {
		containers, _ := podSpec[key].([]any)
		for _, c := range containers {
			c, ok := c.(map[string]any)
			if !ok {
				continue
			}
			mounts, _ := c["volumeMounts"].([]any)
			kept := []any{}
			for _, m := range mounts {
				m, _ := m.(map[string]any)
				name, _ := m["name"].(string)
				if p, _ := m["mountPath"].(string); path.Clean(p) == dir {
					removed[name] = true
					continue
				}
				used[name] = true
				kept = append(kept, m)
			}
			if len(kept) == 0 {
				delete(c, "volumeMounts")
			} else {
				c["volumeMounts"] = kept
			}
		}
	}
	volumes, _ := podSpec["volumes"].([]any)
	kept := []any{}
	for _, v := range volumes {
		v, _ := v.(map[string]any)
		if name, _ := v["name"].(string); removed[name] && !used[name] {
			continue
		}
		kept = append(kept, v)
	}
	if len(kept) == 0 {
		delete(podSpec, "volumes")
	} else {
		podSpec["volumes"] = kept
	}
}

// stringSlice converts a generic JSON list of strings.
func stringSlice(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%v is not a list", v)
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("%v is not a string", item)
		}
		out = append(out, s)
	}
	return out, nil
}

// toAnySlice converts strings to a generic JSON list.
func toAnySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
