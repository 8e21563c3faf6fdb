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
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/reference"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// newNamespace creates a namespace for one test.
func newNamespace() string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "is-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// dockerTag is a spec tag importing pull spec from. The test registries speak plain HTTP,
// so the tag is insecure.
func dockerTag(name, from string) imagev1.TagReference {
	return imagev1.TagReference{
		Name:         name,
		From:         &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: from},
		ImportPolicy: imagev1.TagImportPolicy{Insecure: true},
	}
}

// createStream creates an image stream with the given tags.
func createStream(ns, name string, tags ...imagev1.TagReference) *imagev1.ImageStream {
	GinkgoHelper()
	is := &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: imagev1.ImageStreamSpec{Tags: tags}}
	Expect(k8sClient.Create(ctx, is)).To(Succeed())
	return is
}

// getStream reads a stream.
func getStream(ns, name string) *imagev1.ImageStream {
	GinkgoHelper()
	is := &imagev1.ImageStream{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, is)).To(Succeed())
	return is
}

// currentImage is the image a tag points to now ("" when none).
func currentImage(ns, name, tag string) func() string {
	return func() string {
		is := &imagev1.ImageStream{}
		if err := k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, is); err != nil {
			return ""
		}
		if e := imagestream.LatestEvent(&is.Status, tag); e != nil {
			return e.Image
		}
		return ""
	}
}

// importFailure is the reason of a tag's ImportSuccess=False condition ("" when none).
func importFailure(ns, name, tag string) func() string {
	return func() string {
		is := &imagev1.ImageStream{}
		if err := k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, is); err != nil {
			return ""
		}
		if c := imagestream.ImportFailure(&is.Status, tag); c != nil {
			return c.Reason
		}
		return ""
	}
}

// requestImport sets the re-import annotation to a new value.
func requestImport(ns, name string) {
	GinkgoHelper()
	is := getStream(ns, name)
	patch := client.MergeFrom(is.DeepCopy())
	if is.Annotations == nil {
		is.Annotations = map[string]string{}
	}
	is.Annotations[imagev1.ImportRequestedAtAnnotation] = time.Now().Format(time.RFC3339Nano)
	Expect(k8sClient.Patch(ctx, is, patch)).To(Succeed())
}

// getImage reads the Image of digest.
func getImage(ns, digest string) *imagev1.Image {
	GinkgoHelper()
	name, err := reference.DigestName(digest)
	Expect(err).NotTo(HaveOccurred())
	img := &imagev1.Image{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, img)).To(Succeed())
	return img
}

// pullSecret creates a kubernetes.io/dockerconfigjson secret for host.
func pullSecret(ns, name, host, user, password string) *corev1.Secret {
	GinkgoHelper()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	data, err := json.Marshal(map[string]any{"auths": map[string]any{host: map[string]string{"auth": auth}}})
	Expect(err).NotTo(HaveOccurred())
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: data},
	}
	Expect(k8sClient.Create(ctx, s)).To(Succeed())
	return s
}

var _ = Describe("ImageStream import", func() {
	var reg *testregistry.Registry
	BeforeEach(func() {
		reg = testregistry.New(GinkgoT(), testregistry.Options{})
	})

	It("imports the seed's stream, keeps history newest first and records Image metadata", func() {
		ns := newNamespace()
		d1, err := reg.PushImage("test/origin-ruby-sample", "latest", testregistry.ImageSpec{
			Cmd: []string{"/usr/libexec/s2i/run"}, Entrypoint: []string{"container-entrypoint"},
			Env: []string{"RACK_ENV=production"}, ExposedPorts: []string{"8080/tcp"},
			Labels: map[string]string{"io.k8s.display-name": "Ruby"}, User: "1001", WorkingDir: "/opt/app-root/src",
		})
		Expect(err).NotTo(HaveOccurred())
		from := reg.Host() + "/test/origin-ruby-sample:latest"
		succeeded := testutil.ToFloat64(imports.WithLabelValues(resultSuccess, ""))
		createStream(ns, "origin-ruby-sample", dockerTag("latest", from))

		Eventually(currentImage(ns, "origin-ruby-sample", "latest")).Should(Equal(d1.String()))
		Expect(testutil.ToFloat64(imports.WithLabelValues(resultSuccess, ""))).To(BeNumerically(">", succeeded),
			`imagestream_imports_total{result="success"} counts the import`)
		is := getStream(ns, "origin-ruby-sample")
		Expect(is.Status.Tags[0].Items[0].DockerImageReference).To(Equal(reg.Host() + "/test/origin-ruby-sample@" + d1.String()))
		Expect(is.Status.Tags[0].Items[0].Generation).To(Equal(int64(1)))
		Expect(is.Status.ObservedGeneration).To(Equal(int64(1)))
		ready := meta.FindStatusCondition(is.Status.Conditions, imagev1.ReadyCondition)
		Expect(ready).NotTo(BeNil())
		Expect(ready.Status).To(Equal(metav1.ConditionTrue))

		img := getImage(ns, d1.String())
		Expect(img.DockerImageReference).To(Equal(reg.Host() + "/test/origin-ruby-sample@" + d1.String()))
		Expect(img.DockerImageMetadata.Config.Cmd).To(Equal([]string{"/usr/libexec/s2i/run"}))
		Expect(img.DockerImageMetadata.Config.Entrypoint).To(Equal([]string{"container-entrypoint"}))
		Expect(img.DockerImageMetadata.Config.Env).To(ContainElement("RACK_ENV=production"))
		Expect(img.DockerImageMetadata.Config.ExposedPorts).To(HaveKey("8080/tcp"))
		Expect(img.DockerImageMetadata.Config.Labels).To(HaveKeyWithValue("io.k8s.display-name", "Ruby"))
		Expect(img.DockerImageMetadata.Config.User).To(Equal("1001"))
		Expect(img.DockerImageMetadata.Config.WorkingDir).To(Equal("/opt/app-root/src"))
		Expect(img.DockerImageMetadata.Architecture).To(Equal("amd64"))
		Expect(img.DockerImageLayers).NotTo(BeEmpty())
		for _, l := range img.DockerImageLayers {
			Expect(l.LayerSize).To(BeNumerically(">", 0))
		}
		Expect(img.OwnerReferences).To(ContainElement(HaveField("UID", is.UID)))

		By("moving the upstream tag twice, with a re-import requested each time")
		d2, err := reg.MoveTag("test/origin-ruby-sample", "latest")
		Expect(err).NotTo(HaveOccurred())
		requestImport(ns, "origin-ruby-sample")
		Eventually(currentImage(ns, "origin-ruby-sample", "latest")).Should(Equal(d2.String()))
		d3, err := reg.MoveTag("test/origin-ruby-sample", "latest")
		Expect(err).NotTo(HaveOccurred())
		requestImport(ns, "origin-ruby-sample")
		Eventually(currentImage(ns, "origin-ruby-sample", "latest")).Should(Equal(d3.String()))

		items := getStream(ns, "origin-ruby-sample").Status.Tags[0].Items
		Expect(items).To(HaveLen(3))
		Expect([]string{items[0].Image, items[1].Image, items[2].Image}).To(Equal([]string{d3.String(), d2.String(), d1.String()}))
		Expect(items[0].Created.Time).NotTo(BeTemporally("<", items[1].Created.Time))
		for _, d := range []string{d1.String(), d2.String(), d3.String()} {
			Expect(getImage(ns, d).OwnerReferences).To(HaveLen(1))
		}

		By("emitting an Imported event")
		Eventually(func() []string {
			list := &eventsv1.EventList{}
			Expect(k8sClient.List(ctx, list, client.InNamespace(ns))).To(Succeed())
			var reasons []string
			for _, e := range list.Items {
				reasons = append(reasons, e.Reason)
			}
			return reasons
		}).Should(ContainElement("Imported"))
	})

	It("writes nothing when a reconcile finds nothing to do", func() {
		ns := newNamespace()
		_, err := reg.PushImage("app", "v1", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		createStream(ns, "app", dockerTag("v1", reg.Host()+"/app:v1"))
		Eventually(currentImage(ns, "app", "v1")).ShouldNot(BeEmpty())

		reg.ResetRequests()
		is := getStream(ns, "app")
		patch := client.MergeFrom(is.DeepCopy())
		is.Labels = map[string]string{"touched": "yes"}
		Expect(k8sClient.Patch(ctx, is, patch)).To(Succeed())
		rv := is.ResourceVersion
		Consistently(func() string { return getStream(ns, "app").ResourceVersion }, 2*time.Second).Should(Equal(rv))
		Expect(reg.Requests()).To(BeEmpty(), "an imported tag is not checked again without a reason")
	})

	It("records a reference tag without contacting the registry", func() {
		ns := newNamespace()
		tag := dockerTag("pinned", "registry.invalid/team/app:v1")
		tag.Reference = true
		createStream(ns, "ref", tag)
		Eventually(func() string {
			if e := imagestream.LatestEvent(&getStream(ns, "ref").Status, "pinned"); e != nil {
				return e.DockerImageReference
			}
			return ""
		}).Should(Equal("registry.invalid/team/app:v1"))
		Expect(imagestream.LatestEvent(&getStream(ns, "ref").Status, "pinned").Image).To(BeEmpty())
	})

	It("keeps the history and sets the condition when upstream answers 404 or 500", func() {
		ns := newNamespace()
		d1, err := reg.PushImage("flaky", "latest", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		createStream(ns, "flaky", dockerTag("latest", reg.Host()+"/flaky:latest"))
		Eventually(currentImage(ns, "flaky", "latest")).Should(Equal(d1.String()))

		for _, tc := range []struct {
			status int
			reason string
		}{{http.StatusNotFound, "NotFound"}, {http.StatusInternalServerError, "InternalError"}} {
			failures := testutil.ToFloat64(imports.WithLabelValues(resultFailure, tc.reason))
			reg.FailNext("", "/manifests/", tc.status, 1000)
			requestImport(ns, "flaky")
			Eventually(importFailure(ns, "flaky", "latest")).Should(Equal(tc.reason))
			Expect(testutil.ToFloat64(imports.WithLabelValues(resultFailure, tc.reason))).To(BeNumerically(">", failures),
				`imagestream_imports_total{result="failure",reason=%q} counts the failure`, tc.reason)
			is := getStream(ns, "flaky")
			Expect(imagestream.LatestEvent(&is.Status, "latest").Image).To(Equal(d1.String()), "the last good image stays current")
			Expect(meta.IsStatusConditionFalse(is.Status.Conditions, imagev1.ReadyCondition)).To(BeTrue())
			reg.ResetFaults()
		}
		requestImport(ns, "flaky")
		Eventually(importFailure(ns, "flaky", "latest")).Should(BeEmpty())
		Expect(getStream(ns, "flaky").Status.Tags[0].Items).To(HaveLen(1))
	})

	It("imports one child of a manifest list in Legacy mode, honouring prefer-arch", func() {
		ns := newNamespace()
		_, children, err := reg.PushIndex("multi", "latest", testregistry.OCI)
		Expect(err).NotTo(HaveOccurred())
		arm := dockerTag("arm", reg.Host()+"/multi:latest")
		arm.Annotations = map[string]string{imagev1.OpenShiftPreferArchAnnotation: "arm64"}
		createStream(ns, "multi", dockerTag("latest", reg.Host()+"/multi:latest"), arm)
		Eventually(currentImage(ns, "multi", "latest")).Should(Equal(children["linux/amd64"].String()))
		Eventually(currentImage(ns, "multi", "arm")).Should(Equal(children["linux/arm64"].String()))
		Expect(getImage(ns, children["linux/arm64"].String()).DockerImageMetadata.Architecture).To(Equal("arm64"))
	})

	It("imports a manifest list and its three children in PreserveOriginal mode", func() {
		ns := newNamespace()
		list, children, err := reg.PushIndex("multi", "latest", testregistry.DockerSchema2)
		Expect(err).NotTo(HaveOccurred())
		tag := dockerTag("latest", reg.Host()+"/multi:latest")
		tag.ImportPolicy.ImportMode = imagev1.ImportModePreserveOriginal
		createStream(ns, "multi", tag)
		Eventually(currentImage(ns, "multi", "latest")).Should(Equal(list.String()))

		img := getImage(ns, list.String())
		Expect(img.DockerImageManifests).To(HaveLen(3))
		Expect(img.DockerImageLayers).To(BeEmpty())
		for platform, digest := range children {
			child := getImage(ns, digest.String())
			Expect(child.OwnerReferences).To(ContainElement(HaveField("UID", img.UID)), platform)
		}
	})

	It("uses the namespace's pull secret, reports a wrong password, and recovers when the secret is fixed", func() {
		private := testregistry.New(GinkgoT(), testregistry.Options{BasicAuth: &testregistry.Credentials{Username: "dev", Password: "s3cret"}})
		d, err := private.PushImage("team/app", "v1", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		ns := newNamespace()
		secret := pullSecret(ns, "registry-creds", private.Host(), "dev", "wrong")
		createStream(ns, "app", dockerTag("v1", private.Host()+"/team/app:v1"))

		Eventually(importFailure(ns, "app", "v1")).Should(Equal("Unauthorized"))
		c := imagestream.ImportFailure(&getStream(ns, "app").Status, "v1")
		Expect(c.Message).NotTo(ContainSubstring("wrong"), "credentials never appear in status")
		generation := getStream(ns, "app").Generation

		auth := base64.StdEncoding.EncodeToString([]byte("dev:s3cret"))
		secret.Data[corev1.DockerConfigJsonKey] = []byte(fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, private.Host(), auth))
		Expect(k8sClient.Update(ctx, secret)).To(Succeed())
		Eventually(currentImage(ns, "app", "v1")).Should(Equal(d.String()))
		Expect(importFailure(ns, "app", "v1")()).To(BeEmpty())
		Expect(getStream(ns, "app").Generation).To(Equal(generation), "the stream was not touched")
	})

	It("refuses an HTTP-only registry without insecure and imports with it", func() {
		ns := newNamespace()
		d, err := reg.PushImage("plain", "v1", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		secure := dockerTag("v1", reg.Host()+"/plain:v1")
		secure.ImportPolicy.Insecure = false
		createStream(ns, "plain", secure)
		Eventually(importFailure(ns, "plain", "v1")).Should(Equal("BadRequest"))
		Expect(imagestream.ImportFailure(&getStream(ns, "plain").Status, "v1").Message).To(Equal(
			fmt.Sprintf("the repository %s/plain is HTTP only and requires the insecure flag to import", reg.Host())))

		is := getStream(ns, "plain")
		patch := client.MergeFrom(is.DeepCopy())
		is.Spec.Tags[0].ImportPolicy.Insecure = true
		Expect(k8sClient.Patch(ctx, is, patch)).To(Succeed())
		Eventually(currentImage(ns, "plain", "v1")).Should(Equal(d.String()))
	})
})
