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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// newNamespace creates a namespace for one test.
func newNamespace() string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "wh-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// userClient returns a client acting as a new user, with the given roles' rules granted in
// the given namespaces.
func userClient(name string, grants map[string][]rbacv1.PolicyRule) client.Client {
	GinkgoHelper()
	user, err := testEnv.AddUser(envtest.User{Name: name}, nil)
	Expect(err).NotTo(HaveOccurred())
	for ns, rules := range grants {
		role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Rules: rules}
		Expect(k8sClient.Create(ctx, role)).To(Succeed())
		binding := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}},
		}
		Expect(k8sClient.Create(ctx, binding)).To(Succeed())
	}
	c, err := client.New(user.Config(), client.Options{Scheme: scheme.Scheme})
	Expect(err).NotTo(HaveOccurred())
	return c
}

// streamRules lets a user do everything with image streams and imports.
var streamRules = []rbacv1.PolicyRule{{APIGroups: []string{imagev1.GroupVersion.Group}, Resources: []string{"*"}, Verbs: []string{"*"}}}

// object parses a manifest into the namespace.
func object(ns, manifest string) *unstructured.Unstructured {
	GinkgoHelper()
	u := &unstructured.Unstructured{}
	Expect(yaml.Unmarshal([]byte(manifest), &u.Object)).To(Succeed())
	u.SetNamespace(ns)
	return u
}

// stream is an ImageStream manifest with the given tags YAML.
func stream(name, tags string) string {
	return "apiVersion: image.imagestreams.io/v1\nkind: ImageStream\nmetadata:\n  name: " + name + "\nspec:\n  tags:\n" + tags
}

var _ = Describe("ImageStream validation", func() {
	DescribeTable("refuses what the schema cannot see, with a message that says what to fix",
		func(tags string, messages ...string) {
			ns := newNamespace()
			err := k8sClient.Create(ctx, object(ns, stream("app", tags)))
			Expect(err).To(HaveOccurred())
			for _, m := range messages {
				Expect(err.Error()).To(ContainSubstring(m))
			}
		},
		Entry("an unparsable pull spec", `
  - name: latest
    from: {kind: DockerImage, name: "quay.io/Org/App:v1"}
`, "spec.tags[0].from.name", "repository name must be lowercase"),
		Entry("an ImageStreamTag with two colons", `
  - name: latest
    from: {kind: ImageStreamTag, name: "a:b:c"}
`, "spec.tags[0].from.name", "must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>"),
		Entry("an ImageStreamImage with two @", `
  - name: latest
    from: {kind: ImageStreamImage, name: "a@b@c"}
`, "must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>"),
		Entry("a tag referring to itself", `
  - name: latest
    from: {kind: ImageStreamTag, name: latest}
`, `tag "latest" on the image stream is a reference to same tag`),
		Entry("a cycle of tracking tags", `
  - name: a
    from: {kind: ImageStreamTag, name: b}
  - name: b
    from: {kind: ImageStreamTag, name: "app:a"}
`, "tags form a cycle: a -> b -> a"),
		Entry("a blocked registry", `
  - name: latest
    from: {kind: DockerImage, name: blocked.example.com/team/app:v1}
`, "spec.tags[0].from.name", `importing images from registry "blocked.example.com" is forbidden: registry is blocked by --blocked-registries`),
		Entry("a link-local registry", `
  - name: latest
    from: {kind: DockerImage, name: 169.254.169.254/latest:v1}
`, `importing images from registry "169.254.169.254" is forbidden`),
	)

	It("refuses a repository with a tag and warns that the field is deprecated", func() {
		ns := newNamespace()
		is := object(ns, "apiVersion: image.imagestreams.io/v1\nkind: ImageStream\nmetadata:\n  name: repo\nspec:\n  dockerImageRepository: quay.io/org/app:v1\n")
		Expect(k8sClient.Create(ctx, is)).To(MatchError(ContainSubstring("the repository name may not contain a tag")))
	})

	It("lets a user copy from a namespace they may read, and refuses one they may not", func() {
		team, shared, secret := newNamespace(), newNamespace(), newNamespace()
		alice := userClient("alice-"+team, map[string][]rbacv1.PolicyRule{
			team:   streamRules,
			shared: {{APIGroups: []string{imagev1.GroupVersion.Group}, Resources: []string{"imagestreams"}, Verbs: []string{"get"}}},
		})
		Expect(alice.Create(ctx, object(team, stream("ok", `
  - name: base
    from: {kind: ImageStreamTag, name: "base:v1", namespace: `+shared+`}
`)))).To(Succeed())
		err := alice.Create(ctx, object(team, stream("sneaky", `
  - name: base
    from: {kind: ImageStreamTag, name: "base:v1", namespace: `+secret+`}
`)))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("spec.tags[0].from: Forbidden"))
		Expect(err.Error()).To(ContainSubstring(`may not get imagestreams.image.imagestreams.io in namespace "` + secret + `"`))
	})

	It("refuses an import that would write a stream the user may only read", func() {
		ns := newNamespace()
		bob := userClient("bob-"+ns, map[string][]rbacv1.PolicyRule{ns: {
			{APIGroups: []string{imagev1.GroupVersion.Group}, Resources: []string{"imagestreamimports"}, Verbs: []string{"create"}},
			{APIGroups: []string{imagev1.GroupVersion.Group}, Resources: []string{"imagestreams"}, Verbs: []string{"get"}},
		}})
		isi := func(confirm string) *unstructured.Unstructured {
			return object(ns, `
apiVersion: image.imagestreams.io/v1
kind: ImageStreamImport
metadata:
  generateName: busybox
spec:
  import: `+confirm+`
  images:
  - from: {kind: DockerImage, name: docker.io/library/busybox:latest}
`)
		}
		Expect(bob.Create(ctx, isi("false"))).To(Succeed(), "a dry run only needs create on imagestreamimports")
		err := bob.Create(ctx, isi("true"))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("spec.import: Forbidden"))
		Expect(err.Error()).To(ContainSubstring("set spec.import to false for a dry run"))
	})

	It("refuses an import of a repository given with a tag", func() {
		ns := newNamespace()
		err := k8sClient.Create(ctx, object(ns, `
apiVersion: image.imagestreams.io/v1
kind: ImageStreamImport
metadata:
  name: app
spec:
  repository:
    from: {kind: DockerImage, name: quay.io/org/app:v1}
`))
		Expect(err).To(MatchError(ContainSubstring("you must specify an image repository, not a tag or ID")))
	})
})

var _ = Describe("Local name lookup", func() {
	digest := "sha256:" + strings.Repeat("ab", 32)

	// localStream creates a stream whose tag 3.5 points at digest.
	localStream := func(ns string, local bool) {
		GinkgoHelper()
		is := &imagev1.ImageStream{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "python"},
			Spec: imagev1.ImageStreamSpec{LookupPolicy: imagev1.ImageLookupPolicy{Local: local}, Tags: []imagev1.TagReference{{
				Name: "3.5", From: &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: "docker.io/library/python:3.5"},
			}}},
		}
		Expect(k8sClient.Create(ctx, is)).To(Succeed())
		is.Status.Tags = []imagev1.NamedTagEventList{{Tag: "3.5", Items: []imagev1.TagEvent{{
			Created: metav1.Now(), DockerImageReference: "docker.io/library/python@" + digest, Image: digest, Generation: 1,
		}}}}
		Expect(k8sClient.Status().Update(ctx, is)).To(Succeed())
	}
	pod := func(ns, image string, annotations map[string]string) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, GenerateName: "app-", Annotations: annotations},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
		}
	}

	It("rewrites a pod's short name to the tag's digest pull spec when the stream allows local lookup", func() {
		ns := newNamespace()
		localStream(ns, true)
		p := pod(ns, "python:3.5", nil)
		Expect(k8sClient.Create(ctx, p)).To(Succeed())
		Expect(p.Spec.Containers[0].Image).To(Equal("docker.io/library/python@" + digest))
	})

	It("leaves the name alone when the stream does not allow local lookup, unless the pod asks", func() {
		ns := newNamespace()
		localStream(ns, false)
		p := pod(ns, "python:3.5", nil)
		Expect(k8sClient.Create(ctx, p)).To(Succeed())
		Expect(p.Spec.Containers[0].Image).To(Equal("python:3.5"))

		forced := pod(ns, "python:3.5", map[string]string{ResolveNamesAnnotation: "*"})
		Expect(k8sClient.Create(ctx, forced)).To(Succeed())
		Expect(forced.Spec.Containers[0].Image).To(Equal("docker.io/library/python@" + digest))
	})

	It("never sends a pod with fully qualified images to the webhook", func() {
		ns := newNamespace()
		localStream(ns, true)
		before := lookupRequests.Load()
		Expect(k8sClient.Create(ctx, pod(ns, "docker.io/library/python:3.5", nil))).To(Succeed())
		Expect(lookupRequests.Load()).To(Equal(before))
		Expect(k8sClient.Create(ctx, pod(ns, "python:3.5", nil))).To(Succeed())
		Expect(lookupRequests.Load()).To(Equal(before + 1))
	})

	It("rewrites a Deployment's pod template", func() {
		ns := newNamespace()
		localStream(ns, true)
		d := object(ns, `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "python:3.5"}
`)
		Expect(k8sClient.Create(ctx, d)).To(Succeed())
		containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
		Expect(containers[0].(map[string]any)["image"]).To(Equal("docker.io/library/python@" + digest))
	})
})
