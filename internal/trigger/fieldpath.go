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

package trigger

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// PodSpecPath is where a kind of object keeps its pod spec, as a dotted field path. Every
// trigger fieldPath of the object starts with it.
type PodSpecPath string

// The pod spec paths of the kinds OpenShift knows (library-go referencemutator.GetPodSpecV1).
const (
	// PodPodSpec is the pod spec of a Pod.
	PodPodSpec PodSpecPath = "spec"
	// TemplatePodSpec is the pod spec of Deployments, StatefulSets, DaemonSets, ReplicaSets,
	// Jobs and of any other resource with a pod template at spec.template.
	TemplatePodSpec PodSpecPath = "spec.template.spec"
	// CronJobPodSpec is the pod spec of a CronJob.
	CronJobPodSpec PodSpecPath = "spec.jobTemplate.spec.template.spec"
)

// PodSpecPathFor returns the pod spec path of a kind: CronJob (batch) and Pod (core) have
// their own; every other kind, including custom resources listed in --trigger-resources, is
// expected to have a pod template at spec.template.
func PodSpecPathFor(gk schema.GroupKind) PodSpecPath {
	switch gk {
	case schema.GroupKind{Group: "batch", Kind: "CronJob"}:
		return CronJobPodSpec
	case schema.GroupKind{Group: "", Kind: "Pod"}:
		return PodPodSpec
	}
	return TemplatePodSpec
}

// Fields returns the path as a list of field names, for unstructured.NestedMap and friends.
func (p PodSpecPath) Fields() []string {
	return strings.Split(string(p), ".")
}

// ContainerSelector is a parsed trigger fieldPath: one container (or init container) of a pod
// spec, by name or by position, whose image the trigger sets.
type ContainerSelector struct {
	// Init selects from initContainers instead of containers.
	Init bool
	// Name selects the container with this name; when empty, Index selects by position.
	Name string
	// Index is the position in the list when Name is empty.
	Index int
}

// listName is the pod spec field the selector reads.
func (s ContainerSelector) listName() string {
	if s.Init {
		return "initContainers"
	}
	return "containers"
}

// FieldPath returns the selector as a trigger fieldPath under the pod spec path p. Parsing
// it with ParseFieldPath gives s back.
func (s ContainerSelector) FieldPath(p PodSpecPath) string {
	selector := strconv.Itoa(s.Index)
	if s.Name != "" {
		selector = `?(@.name=="` + s.Name + `")`
	}
	return string(p) + "." + s.listName() + "[" + selector + "].image"
}

// FieldPathError is a fieldPath that does not follow the grammar. Its message starts with
// OpenShift's `field path is not valid`.
type FieldPathError struct {
	// PodSpec is the pod spec path the fieldPath should start with.
	PodSpec PodSpecPath
	// Reason says what is wrong.
	Reason string
}

func (e *FieldPathError) Error() string {
	return fmt.Sprintf(`field path is not valid: %s; use %s.containers[?(@.name=="<name>")].image or %s.containers[<index>].image (initContainers likewise)`,
		e.Reason, e.PodSpec, e.PodSpec)
}

// ParseFieldPath parses a trigger fieldPath of an object whose pod spec is at p. The grammar
// is OpenShift's, exactly:
//
//	<p>.containers[<index>].image
//	<p>.containers[?(@.name=="<name>")].image
//	<p>.initContainers[<index>].image
//	<p>.initContainers[?(@.name=="<name>")].image
//
// where <index> is a decimal number without sign or leading zeros. Anything else is a
// *FieldPathError.
func ParseFieldPath(p PodSpecPath, fieldPath string) (ContainerSelector, error) {
	fail := func(format string, args ...any) (ContainerSelector, error) {
		return ContainerSelector{}, &FieldPathError{PodSpec: p, Reason: fmt.Sprintf(format, args...)}
	}
	rest, ok := strings.CutPrefix(fieldPath, string(p)+".")
	if !ok {
		return fail("it must start with %q, where this kind of object keeps its pod spec", string(p)+".")
	}
	var s ContainerSelector
	switch {
	case strings.HasPrefix(rest, "containers["):
		rest = strings.TrimPrefix(rest, "containers[")
	case strings.HasPrefix(rest, "initContainers["):
		s.Init = true
		rest = strings.TrimPrefix(rest, "initContainers[")
	default:
		return fail("after %q it must name containers[...] or initContainers[...]", string(p)+".")
	}
	selector, rest, ok := strings.Cut(rest, "]")
	if !ok {
		return fail("the container selector has no closing ']'")
	}
	if rest != ".image" {
		return fail(`it must end in "].image": a trigger sets only a container's image`)
	}
	if name, ok := strings.CutPrefix(selector, `?(@.name=="`); ok {
		name, ok = strings.CutSuffix(name, `")`)
		if !ok || name == "" || strings.ContainsAny(name, `"\`) {
			return fail(`a container name selector must be ?(@.name=="<name>")`)
		}
		s.Name = name
		return s, nil
	}
	index, err := parseIndex(selector)
	if err != nil {
		return fail("%s", err)
	}
	s.Index = index
	return s, nil
}

// maxIndex bounds container indexes; a pod has far fewer containers.
const maxIndex = 1 << 20

// parseIndex parses a container index: decimal digits without sign or leading zeros.
func parseIndex(selector string) (int, error) {
	if selector == "" || strings.Trim(selector, "0123456789") != "" {
		return 0, fmt.Errorf(`the container selector %q is neither an index like [0] nor a name like [?(@.name=="web")]`, selector)
	}
	if len(selector) > 1 && selector[0] == '0' {
		return 0, fmt.Errorf("the container index %q must not have leading zeros", selector)
	}
	index, err := strconv.Atoi(selector)
	if err != nil || index >= maxIndex {
		return 0, fmt.Errorf("the container index %s is too large", selector)
	}
	return index, nil
}

// NoSuchContainerError is a fieldPath that follows the grammar but names a container the pod
// spec does not have. Its message starts with OpenShift's `no such container`.
type NoSuchContainerError struct {
	// Reason says which container is missing and which exist.
	Reason string
}

func (e *NoSuchContainerError) Error() string {
	return "no such container: " + e.Reason
}

// Find returns the position of the selected container in spec's containers (or
// initContainers, when s.Init), or a *NoSuchContainerError listing the containers there are.
func (s ContainerSelector) Find(spec *corev1.PodSpec) (int, error) {
	list := s.list(spec)
	noun := "container"
	if s.Init {
		noun = "init container"
	}
	if s.Name == "" {
		if s.Index < len(list) {
			return s.Index, nil
		}
		return 0, &NoSuchContainerError{Reason: fmt.Sprintf("index %d is out of range: the pod spec has %d %ss%s",
			s.Index, len(list), noun, containerNames(list))}
	}
	for i := range list {
		if list[i].Name == s.Name {
			return i, nil
		}
	}
	return 0, &NoSuchContainerError{Reason: fmt.Sprintf("the pod spec has no %s named %q%s", noun, s.Name, containerNames(list))}
}

// list returns the container list s selects from.
func (s ContainerSelector) list(spec *corev1.PodSpec) []corev1.Container {
	if s.Init {
		return spec.InitContainers
	}
	return spec.Containers
}

// containerNames lists the names of containers for error messages.
func containerNames(list []corev1.Container) string {
	if len(list) == 0 {
		return ""
	}
	names := make([]string, len(list))
	for i := range list {
		names[i] = strconv.Quote(list[i].Name)
	}
	return " (" + strings.Join(names, ", ") + ")"
}
