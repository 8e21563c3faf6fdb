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
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// podSpec has init container "migrate" and containers "web" and "sidecar".
func podSpec() *corev1.PodSpec {
	return &corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "migrate", Image: "migrate:v1"}},
		Containers:     []corev1.Container{{Name: "web", Image: "web:v1"}, {Name: "sidecar", Image: "proxy:v1"}},
	}
}

// istag is a valid trigger of tag name on fieldPath.
func istag(name, fieldPath string) ObjectFieldTrigger {
	return ObjectFieldTrigger{From: ObjectReference{Kind: "ImageStreamTag", Name: name}, FieldPath: fieldPath}
}

const (
	webPath     = `spec.template.spec.containers[?(@.name=="web")].image`
	sidecarPath = `spec.template.spec.containers[1].image`
	migratePath = `spec.template.spec.initContainers[?(@.name=="migrate")].image`
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		triggers []ObjectFieldTrigger
		want     []string // error strings, in order
	}{
		{name: "none"},
		{name: "containers and init containers, by name and index", triggers: []ObjectFieldTrigger{
			istag("app:latest", webPath),
			istag("proxy:v2", sidecarPath),
			{From: ObjectReference{Kind: "ImageStreamTag", Name: "tools:v1", Namespace: "shared", APIVersion: "image.imagestreams.io/v1"}, FieldPath: migratePath, Paused: true},
		}},
		{name: "a DockerImage", triggers: []ObjectFieldTrigger{{From: ObjectReference{Kind: "DockerImage", Name: "nginx:latest"}, FieldPath: webPath}}, want: []string{
			`metadata.annotations[image.imagestreams.io/triggers][0].from.kind: Invalid value: "DockerImage": must be ImageStreamTag: a trigger follows an image stream tag; to use a fixed image, set the container's image and remove the trigger`,
		}},
		{name: "no from", triggers: []ObjectFieldTrigger{{FieldPath: webPath}}, want: []string{
			`metadata.annotations[image.imagestreams.io/triggers][0].from.kind: Required value: must be ImageStreamTag`,
			`metadata.annotations[image.imagestreams.io/triggers][0].from.name: Required value: must be <stream>:<tag>`,
		}},
		{name: "a name without a tag", triggers: []ObjectFieldTrigger{istag("app", webPath)}, want: []string{
			`metadata.annotations[image.imagestreams.io/triggers][0].from.name: Invalid value: "app": must be <stream>:<tag>, e.g. "app:latest" (ImageStreamTags must be retrieved with <name>:<tag>)`,
		}},
		{name: "an image stream image", triggers: []ObjectFieldTrigger{istag("app@sha256:abc", webPath)}, want: []string{
			`must be <stream>:<tag>, e.g. "app:latest" ("app@sha256:abc" is an image stream image, not an image stream tag)`,
		}},
		{name: "two colons", triggers: []ObjectFieldTrigger{istag("a:b:c", webPath)}, want: []string{
			`from.name: Invalid value: "a:b:c": must be <stream>:<tag>`,
		}},
		{name: "a pull spec", triggers: []ObjectFieldTrigger{istag("quay.io/org/app:v1", webPath)}, want: []string{
			`from.name: Invalid value: "quay.io/org/app:v1": the stream name "quay.io/org/app" is not an image stream name: it must match "[a-z0-9]+(?:[._-][a-z0-9]+)*" and have at most 63 characters`,
		}},
		{name: "an invalid namespace", triggers: []ObjectFieldTrigger{{From: ObjectReference{Kind: "ImageStreamTag", Name: "app:v1", Namespace: "Shared"}, FieldPath: webPath}}, want: []string{
			`[0].from.namespace: Invalid value: "Shared": must be a namespace name, or empty for the object's own namespace: a lowercase RFC 1123 label`,
		}},
		{name: "OpenShift's apiVersion", triggers: []ObjectFieldTrigger{{From: ObjectReference{Kind: "ImageStreamTag", Name: "app:v1", APIVersion: "image.openshift.io/v1"}, FieldPath: webPath}}, want: []string{
			`[0].from.apiVersion: Invalid value: "image.openshift.io/v1": must be empty or "image.imagestreams.io/v1": triggers follow this operator's image streams`,
		}},
		{name: "no fieldPath", triggers: []ObjectFieldTrigger{istag("app:v1", "")}, want: []string{
			`metadata.annotations[image.imagestreams.io/triggers][0].fieldPath: Required value: name the container image to set, like spec.template.spec.containers[?(@.name=="<container>")].image`,
		}},
		{name: "a CronJob path on a Deployment", triggers: []ObjectFieldTrigger{istag("app:v1", `spec.jobTemplate.spec.template.spec.containers[0].image`)}, want: []string{
			`[0].fieldPath: Invalid value: "spec.jobTemplate.spec.template.spec.containers[0].image": field path is not valid: it must start with "spec.template.spec.", where this kind of object keeps its pod spec; use spec.template.spec.containers[?(@.name=="<name>")].image or spec.template.spec.containers[<index>].image (initContainers likewise)`,
		}},
		{name: "a missing container", triggers: []ObjectFieldTrigger{istag("app:v1", `spec.template.spec.containers[?(@.name=="api")].image`)}, want: []string{
			`[0].fieldPath: Invalid value: "spec.template.spec.containers[?(@.name==\"api\")].image": no such container: the pod spec has no container named "api" ("web", "sidecar")`,
		}},
		{name: "a missing init container", triggers: []ObjectFieldTrigger{istag("app:v1", `spec.template.spec.initContainers[1].image`)}, want: []string{
			`no such container: index 1 is out of range: the pod spec has 1 init containers ("migrate")`,
		}},
		{name: "equal fieldPaths", triggers: []ObjectFieldTrigger{istag("a:v1", webPath), istag("b:v1", sidecarPath), istag("b:v1", webPath)}, want: []string{
			`metadata.annotations[image.imagestreams.io/triggers][2].fieldPath: Invalid value: "spec.template.spec.containers[?(@.name==\"web\")].image": duplicate triggers are not allowed: trigger [0] already sets this container's image; remove one of them`,
		}},
		{name: "a name and an index of the same container", triggers: []ObjectFieldTrigger{istag("a:v1", `spec.template.spec.containers[0].image`), istag("b:v1", webPath)}, want: []string{
			`[1].fieldPath: Invalid value: "spec.template.spec.containers[?(@.name==\"web\")].image": duplicate triggers are not allowed: trigger [0]`,
		}},
		{name: "equal paused fieldPaths", triggers: []ObjectFieldTrigger{{From: ObjectReference{Kind: "ImageStreamTag", Name: "a:v1"}, FieldPath: webPath, Paused: true}, istag("a:v1", webPath)}, want: []string{
			`[1].fieldPath: Invalid value: "spec.template.spec.containers[?(@.name==\"web\")].image": duplicate triggers are not allowed`,
		}},
		{name: "equal missing containers", triggers: []ObjectFieldTrigger{istag("a:v1", `spec.template.spec.containers[5].image`), istag("b:v1", `spec.template.spec.containers[5].image`)}, want: []string{
			`[0].fieldPath: Invalid value: "spec.template.spec.containers[5].image": no such container`,
			`[1].fieldPath: Invalid value: "spec.template.spec.containers[5].image": no such container`,
			`[1].fieldPath: Invalid value: "spec.template.spec.containers[5].image": duplicate triggers are not allowed`,
		}},
		{name: "equal invalid fieldPaths", triggers: []ObjectFieldTrigger{istag("a:v1", "x"), istag("b:v1", "x")}, want: []string{
			`[0].fieldPath: Invalid value: "x": field path is not valid`,
			`[1].fieldPath: Invalid value: "x": field path is not valid`,
			`[1].fieldPath: Invalid value: "x": duplicate triggers are not allowed`,
		}},
		{name: "the same container in containers and init containers is no duplicate", triggers: []ObjectFieldTrigger{
			istag("a:v1", `spec.template.spec.containers[0].image`), istag("a:v1", `spec.template.spec.initContainers[0].image`),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(imagev1.TriggersAnnotation, TemplatePodSpec, podSpec(), tc.triggers)
			if len(errs) != len(tc.want) {
				t.Fatalf("Validate() = %v, want %d errors", errs, len(tc.want))
			}
			for i, err := range errs {
				if !strings.Contains(err.Error(), tc.want[i]) {
					t.Errorf("error %d = %q, want it to contain %q", i, err.Error(), tc.want[i])
				}
			}
		})
	}
}

func TestValidateNamesTheAnnotationInUse(t *testing.T) {
	errs := Validate(imagev1.OpenShiftTriggersAnnotation, CronJobPodSpec, podSpec(), []ObjectFieldTrigger{istag("app", webPath)})
	if len(errs) != 2 {
		t.Fatalf("Validate() = %v, want 2 errors", errs)
	}
	for _, err := range errs {
		if !strings.HasPrefix(err.Field, "metadata.annotations[image.openshift.io/triggers][0].") {
			t.Errorf("error on %s, want one under OpenShift's annotation", err.Field)
		}
	}
}

func TestStreamTag(t *testing.T) {
	got, err := istag("app:latest", webPath).StreamTag("team")
	if err != nil || got != (StreamTag{Namespace: "team", Stream: "app", Tag: "latest"}) {
		t.Errorf("StreamTag() = %#v, %v", got, err)
	}
	if got.String() != "team/app:latest" || got.StreamKey() != "team/app" {
		t.Errorf("String() = %s, StreamKey() = %s", got, got.StreamKey())
	}
	other := ObjectFieldTrigger{From: ObjectReference{Kind: "ImageStreamTag", Name: "base:v1", Namespace: "shared"}}
	if got, _ := other.StreamTag("team"); got.Namespace != "shared" {
		t.Errorf("StreamTag() namespace = %s, want shared", got.Namespace)
	}
	if _, err := istag("app", webPath).StreamTag("team"); err == nil || !strings.Contains(err.Error(), "from.name: Invalid value") {
		t.Errorf("StreamTag() of an invalid name: %v", err)
	}
}

func TestResolve(t *testing.T) {
	spec := podSpec()
	for _, tc := range []struct {
		name      string
		path      PodSpecPath
		fieldPath string
		image     string
		pointer   string
	}{
		{name: "container by name", path: TemplatePodSpec, fieldPath: webPath, image: "web:v1", pointer: "/spec/template/spec/containers/0/image"},
		{name: "container by index", path: TemplatePodSpec, fieldPath: sidecarPath, image: "proxy:v1", pointer: "/spec/template/spec/containers/1/image"},
		{name: "init container", path: TemplatePodSpec, fieldPath: migratePath, image: "migrate:v1", pointer: "/spec/template/spec/initContainers/0/image"},
		{name: "CronJob", path: CronJobPodSpec, fieldPath: `spec.jobTemplate.spec.template.spec.containers[?(@.name=="sidecar")].image`, image: "proxy:v1",
			pointer: "/spec/jobTemplate/spec/template/spec/containers/1/image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, err := Resolve(tc.path, spec, istag("app:latest", tc.fieldPath), "team")
			if err != nil {
				t.Fatalf("Resolve() error = %v", err)
			}
			if target.Stream != (StreamTag{Namespace: "team", Stream: "app", Tag: "latest"}) {
				t.Errorf("Stream = %#v", target.Stream)
			}
			if p := target.ImagePointer(tc.path); p != tc.pointer {
				t.Errorf("ImagePointer() = %s, want %s", p, tc.pointer)
			}
			// The controller sets the image of a copy.
			updated := spec.DeepCopy()
			c := target.Container(updated)
			if c == nil || c.Image != tc.image {
				t.Fatalf("Container() = %#v, want the one with image %s", c, tc.image)
			}
			c.Image = "registry.example.com/app@sha256:abc"
			if target.Container(updated).Image != "registry.example.com/app@sha256:abc" || target.Container(spec).Image != tc.image {
				t.Errorf("setting the image through Container() did not change only the copy")
			}
		})
	}

	if target, err := Resolve(TemplatePodSpec, spec, ObjectFieldTrigger{From: ObjectReference{Kind: "ImageStreamTag", Name: "app:v1"}, FieldPath: webPath, Paused: true}, "team"); err != nil || !target.Paused {
		t.Errorf("Resolve() of a paused trigger = %#v, %v; want a paused target", target, err)
	}
	for _, tc := range []struct {
		trigger ObjectFieldTrigger
		err     string
	}{
		{trigger: istag("app:v1", `spec.template.spec.containers[?(@.name=="api")].image`), err: `fieldPath: Invalid value: "spec.template.spec.containers[?(@.name==\"api\")].image": no such container: the pod spec has no container named "api"`},
		{trigger: istag("app:v1", `spec.template.spec.containers[0]`), err: `fieldPath: Invalid value: "spec.template.spec.containers[0]": field path is not valid: it must end in "].image"`},
		{trigger: istag("app:v1", ""), err: "fieldPath: Required value"},
		{trigger: ObjectFieldTrigger{From: ObjectReference{Kind: "DockerImage", Name: "app:v1"}, FieldPath: webPath}, err: `from.kind: Invalid value: "DockerImage": must be ImageStreamTag`},
	} {
		if _, err := Resolve(TemplatePodSpec, spec, tc.trigger, "team"); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Resolve(%#v) error = %v, want %q", tc.trigger, err, tc.err)
		}
	}
}

func TestTargetContainerOfAChangedSpec(t *testing.T) {
	target, err := Resolve(TemplatePodSpec, podSpec(), istag("app:v1", `spec.template.spec.containers[?(@.name=="sidecar")].image`), "team")
	if err != nil {
		t.Fatal(err)
	}
	changed := podSpec()
	changed.Containers = changed.Containers[:1]
	if c := target.Container(changed); c != nil {
		t.Errorf("Container() of a spec without the container = %#v, want nil", c)
	}
	changed = podSpec()
	changed.Containers[1].Name = "proxy"
	if c := target.Container(changed); c != nil {
		t.Errorf("Container() of a spec whose container was renamed = %#v, want nil", c)
	}
	byIndex, _ := Resolve(TemplatePodSpec, podSpec(), istag("app:v1", sidecarPath), "team")
	if c := byIndex.Container(changed); c == nil || c.Name != "proxy" {
		t.Errorf("Container() by index = %#v, want the container at that index", c)
	}
}
