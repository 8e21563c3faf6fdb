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

package v1

import (
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/trigger"
)

// triggerRequests counts the requests that reached the trigger webhook.
var triggerRequests atomic.Int64

// registerTriggerWebhook serves the trigger webhook from the suite's manager, counting its
// requests.
func registerTriggerWebhook(mgr ctrl.Manager, access AccessChecker) {
	v := &TriggerValidator{Access: access, decoder: admission.NewDecoder(scheme.Scheme)}
	mgr.GetWebhookServer().Register(TriggerPath, &webhook.Admission{Handler: countingHandler{Handler: v, count: &triggerRequests}})
}

// workloadRules lets a user do everything with the workloads that carry triggers.
var workloadRules = []rbacv1.PolicyRule{
	{APIGroups: []string{"apps"}, Resources: []string{"deployments", "statefulsets", "daemonsets"}, Verbs: []string{"*"}},
	{APIGroups: []string{"batch"}, Resources: []string{"cronjobs"}, Verbs: []string{"*"}},
}

// readStreams lets a user read image streams.
var readStreams = []rbacv1.PolicyRule{{APIGroups: []string{imagev1.GroupVersion.Group}, Resources: []string{"imagestreams"}, Verbs: []string{"get"}}}

// triggerTemplate is a pod template with init container "migrate" and containers "web" and
// "sidecar".
func triggerTemplate(restart corev1.RestartPolicy) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{
			RestartPolicy:  restart,
			InitContainers: []corev1.Container{{Name: "migrate", Image: "registry.example.com/migrate:v1"}},
			Containers: []corev1.Container{
				{Name: "web", Image: "registry.example.com/web:v1"},
				{Name: "sidecar", Image: "registry.example.com/proxy:v1"},
			},
		},
	}
}

// workload returns a Deployment, StatefulSet, DaemonSet or CronJob named web in ns with the
// given annotations and triggerTemplate's containers.
func workload(kind, ns string, annotations map[string]string) client.Object {
	meta := metav1.ObjectMeta{Namespace: ns, Name: "web", Annotations: annotations}
	selector := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	switch kind {
	case "Deployment":
		return &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Selector: selector, Template: triggerTemplate(corev1.RestartPolicyAlways)}}
	case "StatefulSet":
		return &appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{ServiceName: "web", Selector: selector, Template: triggerTemplate(corev1.RestartPolicyAlways)}}
	case "DaemonSet":
		return &appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{Selector: selector, Template: triggerTemplate(corev1.RestartPolicyAlways)}}
	case "CronJob":
		return &batchv1.CronJob{ObjectMeta: meta, Spec: batchv1.CronJobSpec{Schedule: "*/5 * * * *", JobTemplate: batchv1.JobTemplateSpec{
			Spec: batchv1.JobSpec{Template: triggerTemplate(corev1.RestartPolicyOnFailure)},
		}}}
	}
	Fail("unknown kind " + kind)
	return nil
}

// on returns the triggers annotation key set to value.
func on(key, value string) map[string]string {
	return map[string]string{key: value}
}

// triggersOf returns the annotation value of triggers.
func triggersOf(triggers ...trigger.ObjectFieldTrigger) string {
	GinkgoHelper()
	value, err := trigger.Encode(triggers)
	Expect(err).NotTo(HaveOccurred())
	return value
}

// follow is a trigger of container web (by name) on the tag name in namespace.
func follow(name, namespace string) trigger.ObjectFieldTrigger {
	return trigger.ObjectFieldTrigger{
		From:      trigger.ObjectReference{Kind: "ImageStreamTag", Name: name, Namespace: namespace},
		FieldPath: `spec.template.spec.containers[?(@.name=="web")].image`,
	}
}

// at is a trigger of the tag app:latest on fieldPath.
func at(fieldPath string) trigger.ObjectFieldTrigger {
	return trigger.ObjectFieldTrigger{From: trigger.ObjectReference{Kind: "ImageStreamTag", Name: "app:latest"}, FieldPath: fieldPath}
}

// developer returns a client acting as a user who may manage workloads in ns.
func developer(ns string) client.Client {
	GinkgoHelper()
	return userClient("dev-"+ns, map[string][]rbacv1.PolicyRule{ns: workloadRules})
}

var _ = Describe("Trigger annotation validation", func() {
	const (
		ours   = imagev1.TriggersAnnotation
		theirs = imagev1.OpenShiftTriggersAnnotation
	)

	DescribeTable("admits valid triggers on every workload kind",
		func(kind string, annotations map[string]string) {
			ns := newNamespace()
			Expect(developer(ns).Create(ctx, workload(kind, ns, annotations))).To(Succeed())
		},
		Entry("a Deployment container by name", "Deployment", on(ours, triggersOf(follow("app:latest", "")))),
		Entry("a Deployment with OpenShift's annotation, as `oc set triggers` writes it", "Deployment",
			on(theirs, `[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\"web\")].image","paused":false}]`)),
		Entry("a Deployment with both annotations, equal", "Deployment",
			map[string]string{ours: triggersOf(follow("app:latest", "")), theirs: triggersOf(follow("app:latest", ""))}),
		Entry("a StatefulSet container by index and a paused init container", "StatefulSet", on(ours, triggersOf(
			at(`spec.template.spec.containers[1].image`),
			trigger.ObjectFieldTrigger{From: trigger.ObjectReference{Kind: "ImageStreamTag", Name: "tools:v1"}, FieldPath: `spec.template.spec.initContainers[0].image`, Paused: true},
		))),
		Entry("a DaemonSet init container by name", "DaemonSet", on(ours, triggersOf(at(`spec.template.spec.initContainers[?(@.name=="migrate")].image`)))),
		Entry("a CronJob", "CronJob", on(ours, triggersOf(at(`spec.jobTemplate.spec.template.spec.containers[?(@.name=="sidecar")].image`)))),
		Entry("an empty list", "Deployment", on(ours, "[]")),
	)

	It("admits a trigger naming the object's own namespace without an access check", func() {
		ns := newNamespace()
		Expect(developer(ns).Create(ctx, workload("Deployment", ns, on(ours, triggersOf(follow("app:latest", ns)))))).To(Succeed())
	})

	DescribeTable("refuses invalid triggers with a message that says what to fix",
		func(kind string, annotations map[string]string, messages ...string) {
			ns := newNamespace()
			err := developer(ns).Create(ctx, workload(kind, ns, annotations))
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(`admission webhook "vtriggers.image.imagestreams.io" denied the request`))
			for _, m := range messages {
				Expect(err.Error()).To(ContainSubstring(m))
			}
		},
		Entry("JSON that is not a list", "Deployment", on(ours, `{"from":{"kind":"ImageStreamTag","name":"app:latest"}}`),
			`metadata.annotations[image.imagestreams.io/triggers]: Invalid value:`,
			`invalid JSON: found a JSON object instead of a list; the value must be a JSON list like [{"from":{"kind":"ImageStreamTag","name":"<stream>:<tag>"}`),
		Entry("a misspelt field", "Deployment", on(ours, `[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"feildPath":"x"}]`),
			`invalid JSON: json: unknown field "feildPath"`),
		Entry("both annotations, different", "Deployment",
			map[string]string{ours: triggersOf(follow("app:latest", "")), theirs: triggersOf(follow("app:v2", ""))},
			`metadata.annotations: Invalid value: "": annotations image.imagestreams.io/triggers and image.openshift.io/triggers are both set and differ: they are two spellings of the same triggers, keep only one of them`),
		Entry("a DockerImage", "Deployment", on(ours, `[{"from":{"kind":"DockerImage","name":"nginx:latest"},"fieldPath":"spec.template.spec.containers[0].image"}]`),
			`metadata.annotations[image.imagestreams.io/triggers][0].from.kind: Invalid value: "DockerImage": must be ImageStreamTag`),
		Entry("a name without a tag", "StatefulSet", on(ours, triggersOf(follow("app", ""))),
			`metadata.annotations[image.imagestreams.io/triggers][0].from.name: Invalid value: "app": must be <stream>:<tag>, e.g. "app:latest"`),
		Entry("a Deployment's fieldPath on a CronJob", "CronJob", on(ours, triggersOf(follow("app:latest", ""))),
			`metadata.annotations[image.imagestreams.io/triggers][0].fieldPath: Invalid value:`,
			`field path is not valid: it must start with "spec.jobTemplate.spec.template.spec."`),
		Entry("a fieldPath that is not an image", "DaemonSet", on(ours, triggersOf(at(`spec.template.spec.containers[0].env`))),
			`field path is not valid: it must end in "].image": a trigger sets only a container's image`),
		Entry("a missing container", "Deployment", on(ours, triggersOf(at(`spec.template.spec.containers[?(@.name=="api")].image`))),
			`no such container: the pod spec has no container named "api" ("web", "sidecar")`),
		Entry("a missing init container", "StatefulSet", on(ours, triggersOf(at(`spec.template.spec.initContainers[1].image`))),
			`no such container: index 1 is out of range: the pod spec has 1 init containers ("migrate")`),
		Entry("two triggers on one container", "Deployment", on(ours, triggersOf(follow("app:latest", ""), at(`spec.template.spec.containers[0].image`))),
			`metadata.annotations[image.imagestreams.io/triggers][1].fieldPath`,
			`duplicate triggers are not allowed: trigger [0] already sets this container's image; remove one of them`),
		Entry("OpenShift's annotation, named in the error", "Deployment", on(theirs, triggersOf(follow("app", ""))),
			`metadata.annotations[image.openshift.io/triggers][0].from.name`),
		Entry("an invalid namespace", "Deployment", on(ours, triggersOf(follow("app:latest", "Shared"))),
			`[0].from.namespace: Invalid value: "Shared": must be a namespace name`),
	)

	It("lets a user follow a stream in a namespace they may read, and refuses one they may not", func() {
		team, shared, secret := newNamespace(), newNamespace(), newNamespace()
		alice := userClient("alice-"+team, map[string][]rbacv1.PolicyRule{team: workloadRules, shared: readStreams})
		Expect(alice.Create(ctx, workload("Deployment", team, on(ours, triggersOf(follow("base:v1", shared)))))).To(Succeed())

		err := alice.Create(ctx, workload("CronJob", team, on(theirs, `[{"from":{"kind":"ImageStreamTag","name":"base:v1","namespace":"`+secret+`"},"fieldPath":"spec.jobTemplate.spec.template.spec.containers[0].image"}]`)))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("metadata.annotations[image.openshift.io/triggers][0].from.namespace: Forbidden"))
		Expect(err.Error()).To(ContainSubstring(`user "alice-` + team + `" may not get imagestreams.image.imagestreams.io in namespace "` + secret + `"; ask for read access to that namespace's image streams`))
	})

	It("does not check access again for triggers an update leaves alone", func() {
		team, secret := newNamespace(), newNamespace()
		bob := userClient("bob-"+team, map[string][]rbacv1.PolicyRule{team: workloadRules})
		// An admin, who may read every namespace, sets up the trigger.
		Expect(k8sClient.Create(ctx, workload("Deployment", team, on(ours, triggersOf(follow("base:v1", secret)))))).To(Succeed())

		d := &appsv1.Deployment{}
		Expect(bob.Get(ctx, client.ObjectKey{Namespace: team, Name: "web"}, d)).To(Succeed())
		d.Spec.Replicas = new(int32(3))
		d.Labels = map[string]string{"tier": "frontend"}
		Expect(bob.Update(ctx, d)).To(Succeed(), "an update of other fields keeps the trigger bob could not have set")

		d.Annotations[ours] = triggersOf(follow("base:v2", secret))
		err := bob.Update(ctx, d)
		Expect(err).To(HaveOccurred(), "changing the trigger to another tag there is checked")
		Expect(err.Error()).To(ContainSubstring(`[0].from.namespace: Forbidden: user "bob-` + team + `" may not get imagestreams`))

		Expect(bob.Get(ctx, client.ObjectKey{Namespace: team, Name: "web"}, d)).To(Succeed())
		d.Spec.Template.Spec.Containers = d.Spec.Template.Spec.Containers[1:]
		err = bob.Update(ctx, d)
		Expect(err).To(HaveOccurred(), "the rules still apply to the unchanged trigger")
		Expect(err.Error()).To(ContainSubstring(`no such container: the pod spec has no container named "web" ("sidecar")`))
	})

	It("never sends a workload without triggers to the webhook", func() {
		ns := newNamespace()
		before := triggerRequests.Load()
		plain := workload("Deployment", ns, map[string]string{"owner": "team-a"})
		Expect(k8sClient.Create(ctx, plain)).To(Succeed())
		plain.SetLabels(map[string]string{"tier": "frontend"})
		Expect(k8sClient.Update(ctx, plain)).To(Succeed())
		Expect(k8sClient.Create(ctx, workload("CronJob", ns, nil))).To(Succeed())
		Expect(triggerRequests.Load()).To(Equal(before))

		triggered := workload("StatefulSet", ns, on(imagev1.OpenShiftTriggersAnnotation, triggersOf(follow("app:latest", ""))))
		Expect(k8sClient.Create(ctx, triggered)).To(Succeed())
		Expect(triggerRequests.Load()).To(Equal(before + 1))
	})
})
