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

package controller

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus/testutil"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/trigger"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// triggersAnnotation returns annotations holding one trigger per fieldPath, all following
// from (`<stream>:<tag>`) in namespace (empty: the object's).
func triggersAnnotation(from, namespace string, paused bool, fieldPaths ...string) map[string]string {
	GinkgoHelper()
	var triggers []trigger.ObjectFieldTrigger
	for _, fp := range fieldPaths {
		triggers = append(triggers, trigger.ObjectFieldTrigger{
			From:      trigger.ObjectReference{Kind: "ImageStreamTag", Name: from, Namespace: namespace},
			FieldPath: fp,
			Paused:    paused,
		})
	}
	value, err := trigger.Encode(triggers)
	Expect(err).NotTo(HaveOccurred())
	return map[string]string{imagev1.TriggersAnnotation: value}
}

// podTemplate is a pod template with one container per name, all running image.
func podTemplate(app, image string, names ...string) corev1.PodTemplateSpec {
	t := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}}}
	for _, n := range names {
		t.Spec.Containers = append(t.Spec.Containers, corev1.Container{Name: n, Image: image})
	}
	return t
}

// newDeployment creates a Deployment named name with the given annotations and template.
func newDeployment(ns, name string, annotations map[string]string, template corev1.PodTemplateSpec) *appsv1.Deployment {
	GinkgoHelper()
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: annotations},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: template.Labels},
			Template: template,
		},
	}
	Expect(k8sClient.Create(ctx, d)).To(Succeed())
	return d
}

// containerImages returns the images of obj's pod spec after reading it again: containers
// by name, init containers as "init:<name>".
func containerImages(obj client.Object) func() map[string]string {
	return func() map[string]string {
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		var spec corev1.PodSpec
		switch o := obj.(type) {
		case *appsv1.Deployment:
			spec = o.Spec.Template.Spec
		case *appsv1.StatefulSet:
			spec = o.Spec.Template.Spec
		case *appsv1.DaemonSet:
			spec = o.Spec.Template.Spec
		case *batchv1.CronJob:
			spec = o.Spec.JobTemplate.Spec.Template.Spec
		}
		images := map[string]string{}
		for _, c := range spec.Containers {
			images[c.Name] = c.Image
		}
		for _, c := range spec.InitContainers {
			images["init:"+c.Name] = c.Image
		}
		return images
	}
}

// replicaSetImages returns the image of the first container of each ReplicaSet in ns.
func replicaSetImages(ns string) func() []string {
	return func() []string {
		list := &appsv1.ReplicaSetList{}
		Expect(k8sClient.List(ctx, list, client.InNamespace(ns))).To(Succeed())
		var images []string
		for _, rs := range list.Items {
			images = append(images, rs.Spec.Template.Spec.Containers[0].Image)
		}
		return images
	}
}

// eventNotes returns the notes of the events with reason in ns.
func eventNotes(ns, reason string) func() []string {
	return func() []string {
		list := &eventsv1.EventList{}
		Expect(k8sClient.List(ctx, list, client.InNamespace(ns))).To(Succeed())
		var notes []string
		for _, e := range list.Items {
			if e.Reason == reason {
				notes = append(notes, e.Note)
			}
		}
		return notes
	}
}

var _ = Describe("Image change triggers", func() {
	var reg *testregistry.Registry
	BeforeEach(func() {
		reg = testregistry.New(GinkgoT(), testregistry.Options{})
	})

	const web = `spec.template.spec.containers[?(@.name=="web")].image`

	It("rolls out a Deployment when its tag is first imported and again when the tag moves", func() {
		ns := newNamespace()
		d1, err := reg.PushImage("app", "latest", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		updatesBefore := testutil.ToFloat64(triggerUpdates.WithLabelValues("Deployment"))

		By("creating the Deployment before the stream: nothing to roll out yet")
		dep := newDeployment(ns, "web", triggersAnnotation("app:latest", "", false, web), podTemplate("web", "app:latest", "web"))

		Eventually(replicaSetImages(ns)).Should(ConsistOf("app:latest"))

		By("importing the tag: the container runs the imported digest, in a new ReplicaSet")
		createStream(ns, "app", dockerTag("latest", reg.Host()+"/app:latest"))
		first := reg.Host() + "/app@" + d1.String()
		Eventually(containerImages(dep)).Should(Equal(map[string]string{"web": first}))
		Eventually(replicaSetImages(ns)).Should(ConsistOf("app:latest", first))
		Eventually(eventNotes(ns, ReasonTriggerImageUpdated)).Should(ContainElement(
			fmt.Sprintf(`Updated container "web" image app:latest -> %s (image stream tag %s/app:latest)`, first, ns)))

		By("moving the upstream tag and re-importing: a second rollout")
		d2, err := reg.MoveTag("app", "latest")
		Expect(err).NotTo(HaveOccurred())
		requestImport(ns, "app")
		second := reg.Host() + "/app@" + d2.String()
		Eventually(containerImages(dep)).Should(Equal(map[string]string{"web": second}))
		Eventually(replicaSetImages(ns)).Should(ConsistOf("app:latest", first, second))
		Expect(testutil.ToFloat64(triggerUpdates.WithLabelValues("Deployment"))).To(Equal(updatesBefore + 2))
	})

	It("leaves paused triggers, and everything but the triggered image, alone", func() {
		ns := newNamespace()
		d1, err := reg.PushImage("app", "latest", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		annotations := triggersAnnotation("app:latest", "", false, web)
		paused := triggersAnnotation("app:latest", "", true, `spec.template.spec.containers[?(@.name=="paused")].image`)
		annotations[imagev1.TriggersAnnotation] = strings.TrimSuffix(annotations[imagev1.TriggersAnnotation], "]") + "," +
			strings.TrimPrefix(paused[imagev1.TriggersAnnotation], "[")
		dep := newDeployment(ns, "web", annotations, podTemplate("web", "busybox:1", "web", "paused", "sidecar"))
		createStream(ns, "app", dockerTag("latest", reg.Host()+"/app:latest"))

		Eventually(containerImages(dep)).Should(Equal(map[string]string{
			"web": reg.Host() + "/app@" + d1.String(), "paused": "busybox:1", "sidecar": "busybox:1",
		}))
	})

	It("updates StatefulSets (init container by name), DaemonSets and CronJobs", func() {
		ns := newNamespace()
		d1, err := reg.PushImage("app", "v1", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		createStream(ns, "app", dockerTag("v1", reg.Host()+"/app:v1"))
		want := reg.Host() + "/app@" + d1.String()

		template := podTemplate("sts", "busybox:1", "web")
		template.Spec.InitContainers = []corev1.Container{{Name: "migrate", Image: "busybox:1"}}
		sts := &appsv1.StatefulSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "db",
				Annotations: triggersAnnotation("app:v1", "", false, `spec.template.spec.initContainers[?(@.name=="migrate")].image`)},
			Spec: appsv1.StatefulSetSpec{Selector: &metav1.LabelSelector{MatchLabels: template.Labels}, Template: template},
		}
		Expect(k8sClient.Create(ctx, sts)).To(Succeed())

		dsTemplate := podTemplate("ds", "busybox:1", "agent")
		ds := &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "agent",
				Annotations: triggersAnnotation("app:v1", "", false, `spec.template.spec.containers[0].image`)},
			Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: dsTemplate.Labels}, Template: dsTemplate},
		}
		Expect(k8sClient.Create(ctx, ds)).To(Succeed())

		jobTemplate := podTemplate("job", "busybox:1", "job")
		jobTemplate.Spec.RestartPolicy = corev1.RestartPolicyNever
		cj := &batchv1.CronJob{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "nightly", Annotations: triggersAnnotation("app:v1", "", false,
				`spec.jobTemplate.spec.template.spec.containers[?(@.name=="job")].image`)},
			Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *", JobTemplate: batchv1.JobTemplateSpec{
				Spec: batchv1.JobSpec{Template: jobTemplate}}},
		}
		Expect(k8sClient.Create(ctx, cj)).To(Succeed())

		Eventually(containerImages(sts)).Should(Equal(map[string]string{"web": "busybox:1", "init:migrate": want}))
		Eventually(containerImages(ds)).Should(Equal(map[string]string{"agent": want}))
		Eventually(containerImages(cj)).Should(Equal(map[string]string{"job": want}))
	})

	It("follows a stream of another namespace", func() {
		streams, apps := newNamespace(), newNamespace()
		d1, err := reg.PushImage("shared", "stable", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		createStream(streams, "shared", dockerTag("stable", reg.Host()+"/shared:stable"))
		dep := newDeployment(apps, "web", triggersAnnotation("shared:stable", streams, false, web), podTemplate("web", "x", "web"))
		Eventually(containerImages(dep)).Should(Equal(map[string]string{"web": reg.Host() + "/shared@" + d1.String()}))
	})

	It("reports an invalid annotation or a missing container with a Warning event", func() {
		ns := newNamespace()
		newDeployment(ns, "bad-json", map[string]string{imagev1.TriggersAnnotation: `{"from":`}, podTemplate("a", "x", "web"))
		newDeployment(ns, "gone", triggersAnnotation("app:latest", "", false, `spec.template.spec.containers[?(@.name=="api")].image`),
			podTemplate("b", "x", "web"))
		Eventually(eventNotes(ns, ReasonInvalidTrigger)).Should(ContainElements(
			ContainSubstring("annotation image.imagestreams.io/triggers: invalid JSON"),
			ContainSubstring(`no such container: the pod spec has no container named "api"`),
		))
	})
})
