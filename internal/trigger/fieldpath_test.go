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
	"errors"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestPodSpecPathFor(t *testing.T) {
	for gk, want := range map[schema.GroupKind]PodSpecPath{
		{Group: "apps", Kind: "Deployment"}:              TemplatePodSpec,
		{Group: "apps", Kind: "StatefulSet"}:             TemplatePodSpec,
		{Group: "apps", Kind: "DaemonSet"}:               TemplatePodSpec,
		{Group: "apps", Kind: "ReplicaSet"}:              TemplatePodSpec,
		{Group: "batch", Kind: "Job"}:                    TemplatePodSpec,
		{Group: "batch", Kind: "CronJob"}:                CronJobPodSpec,
		{Group: "", Kind: "Pod"}:                         PodPodSpec,
		{Group: "argoproj.io", Kind: "Rollout"}:          TemplatePodSpec,
		{Group: "example.com", Kind: "CronJob"}:          TemplatePodSpec,
		{Group: "apps.openshift.io", Kind: "Deployment"}: TemplatePodSpec,
	} {
		if got := PodSpecPathFor(gk); got != want {
			t.Errorf("PodSpecPathFor(%v) = %s, want %s", gk, got, want)
		}
	}
	if got := CronJobPodSpec.Fields(); !reflect.DeepEqual(got, []string{"spec", "jobTemplate", "spec", "template", "spec"}) {
		t.Errorf("Fields() = %q", got)
	}
}

func TestParseFieldPath(t *testing.T) {
	for _, tc := range []struct {
		path      PodSpecPath
		fieldPath string
		want      ContainerSelector
		reason    string // of the *FieldPathError; empty when valid
	}{
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[?(@.name=="web")].image`, want: ContainerSelector{Name: "web"}},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[0].image`, want: ContainerSelector{Index: 0}},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[12].image`, want: ContainerSelector{Index: 12}},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.initContainers[?(@.name=="migrate")].image`, want: ContainerSelector{Init: true, Name: "migrate"}},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.initContainers[1].image`, want: ContainerSelector{Init: true, Index: 1}},
		{path: CronJobPodSpec, fieldPath: `spec.jobTemplate.spec.template.spec.containers[?(@.name=="job")].image`, want: ContainerSelector{Name: "job"}},
		{path: PodPodSpec, fieldPath: `spec.containers[0].image`, want: ContainerSelector{}},

		{path: TemplatePodSpec, fieldPath: "", reason: `it must start with "spec.template.spec."`},
		{path: CronJobPodSpec, fieldPath: `spec.template.spec.containers[0].image`, reason: `it must start with "spec.jobTemplate.spec.template.spec."`},
		{path: TemplatePodSpec, fieldPath: `spec.containers[0].image`, reason: `it must start with "spec.template.spec."`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.ephemeralContainers[0].image`, reason: `after "spec.template.spec." it must name containers[...] or initContainers[...]`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers.web.image`, reason: `after "spec.template.spec." it must name containers[...] or initContainers[...]`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[0.image`, reason: "the container selector has no closing ']'"},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[0]`, reason: `it must end in "].image"`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[0].env`, reason: `it must end in "].image"`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[0].image.x`, reason: `it must end in "].image"`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[?(@.name=="a]b")].image`, reason: `it must end in "].image"`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[?(@.name=='web')].image`, reason: `the container selector "?(@.name=='web')" is neither an index like [0] nor a name like [?(@.name=="web")]`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[?(@.name == "web")].image`, reason: `is neither an index`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[?(@.name=="")].image`, reason: `a container name selector must be ?(@.name=="<name>")`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[?(@.name=="web"].image`, reason: `a container name selector must be ?(@.name=="<name>")`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[?(@.name=="a"b")].image`, reason: `a container name selector must be ?(@.name=="<name>")`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[web].image`, reason: `the container selector "web" is neither an index`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[].image`, reason: `the container selector "" is neither an index`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[-1].image`, reason: `the container selector "-1" is neither an index`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[+1].image`, reason: `the container selector "+1" is neither an index`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[01].image`, reason: `the container index "01" must not have leading zeros`},
		{path: TemplatePodSpec, fieldPath: `spec.template.spec.containers[99999999999999999999].image`, reason: `the container index 99999999999999999999 is too large`},
	} {
		t.Run(tc.fieldPath, func(t *testing.T) {
			got, err := ParseFieldPath(tc.path, tc.fieldPath)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("ParseFieldPath() error = %v", err)
				}
				if got != tc.want {
					t.Errorf("ParseFieldPath() = %#v, want %#v", got, tc.want)
				}
				if back := got.FieldPath(tc.path); back != tc.fieldPath {
					t.Errorf("FieldPath() = %s, want %s", back, tc.fieldPath)
				}
				return
			}
			var fpErr *FieldPathError
			if !errors.As(err, &fpErr) {
				t.Fatalf("ParseFieldPath() error = %v, want a *FieldPathError", err)
			}
			if !strings.Contains(fpErr.Reason, tc.reason) {
				t.Errorf("reason = %q, want it to contain %q", fpErr.Reason, tc.reason)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "field path is not valid: ") ||
				!strings.HasSuffix(msg, `; use `+string(tc.path)+`.containers[?(@.name=="<name>")].image or `+string(tc.path)+`.containers[<index>].image (initContainers likewise)`) {
				t.Errorf("message %q does not say what a valid fieldPath is", msg)
			}
		})
	}
}

func TestFind(t *testing.T) {
	spec := &corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "migrate"}},
		Containers:     []corev1.Container{{Name: "web"}, {Name: "sidecar"}},
	}
	for _, tc := range []struct {
		name     string
		selector ContainerSelector
		want     int
		err      string
	}{
		{name: "by name", selector: ContainerSelector{Name: "sidecar"}, want: 1},
		{name: "by index", selector: ContainerSelector{Index: 1}, want: 1},
		{name: "init by name", selector: ContainerSelector{Init: true, Name: "migrate"}, want: 0},
		{name: "init by index", selector: ContainerSelector{Init: true, Index: 0}, want: 0},
		{name: "missing name", selector: ContainerSelector{Name: "api"},
			err: `no such container: the pod spec has no container named "api" ("web", "sidecar")`},
		{name: "an init container's name among containers", selector: ContainerSelector{Name: "migrate"},
			err: `no such container: the pod spec has no container named "migrate" ("web", "sidecar")`},
		{name: "a container's name among init containers", selector: ContainerSelector{Init: true, Name: "web"},
			err: `no such container: the pod spec has no init container named "web" ("migrate")`},
		{name: "index out of range", selector: ContainerSelector{Index: 2},
			err: `no such container: index 2 is out of range: the pod spec has 2 containers ("web", "sidecar")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.selector.Find(spec)
			if tc.err != "" {
				var nsc *NoSuchContainerError
				if !errors.As(err, &nsc) || err.Error() != tc.err {
					t.Fatalf("Find() error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Find() = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	if _, err := (ContainerSelector{Init: true}).Find(&corev1.PodSpec{}); err == nil ||
		err.Error() != "no such container: index 0 is out of range: the pod spec has 0 init containers" {
		t.Errorf("Find() in a spec without init containers: %v", err)
	}
}
