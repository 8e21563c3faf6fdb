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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// istagRef is a spec tag pointing at an ImageStreamTag.
func istagRef(name, from, namespace string) imagev1.TagReference {
	return imagev1.TagReference{Name: name, From: &imagev1.ObjectReference{Kind: imagev1.ImageStreamTagKind, Name: from, Namespace: namespace}}
}

var _ = Describe("Tag graph", func() {
	var reg *testregistry.Registry
	BeforeEach(func() {
		reg = testregistry.New(GinkgoT(), testregistry.Options{})
	})

	It("keeps a chain of tracking tags on the target's image, and leaves a digest tag alone", func() {
		ns := newNamespace()
		d1, err := reg.PushImage("python", "3.12", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		createStream(ns, "python",
			dockerTag("3.12", reg.Host()+"/python:3.12"),
			istagRef("3", "3.12", ""),
			istagRef("latest", "python:3", ns),
			dockerTag("pinned", reg.Host()+"/python@"+d1.String()),
		)
		for _, tag := range []string{"3.12", "3", "latest", "pinned"} {
			Eventually(currentImage(ns, "python", tag)).Should(Equal(d1.String()), tag)
		}

		d2, err := reg.MoveTag("python", "3.12")
		Expect(err).NotTo(HaveOccurred())
		requestImport(ns, "python")
		for _, tag := range []string{"3.12", "3", "latest"} {
			Eventually(currentImage(ns, "python", tag)).Should(Equal(d2.String()), tag)
		}
		Expect(currentImage(ns, "python", "pinned")()).To(Equal(d1.String()))
		Expect(imagestream.StatusTag(&getStream(ns, "python").Status, "latest").Items).To(HaveLen(2))
	})

	It("reports self references and cycles on the tags", func() {
		ns := newNamespace()
		createStream(ns, "loops", istagRef("self", "self", ""), istagRef("a", "b", ""), istagRef("b", "a", ""))
		Eventually(importFailure(ns, "loops", "self")).Should(Equal(ReasonInvalidReference))
		Eventually(importFailure(ns, "loops", "a")).Should(Equal(ReasonInvalidReference))
		is := getStream(ns, "loops")
		Expect(imagestream.ImportFailure(&is.Status, "self").Message).To(Equal(`tag "self" on the image stream is a reference to same tag`))
		Expect(imagestream.ImportFailure(&is.Status, "a").Message).To(Equal("tags form a cycle: a -> b -> a"))
	})

	It("copies a tag of another namespace once, waiting for its first image", func() {
		shared, team := newNamespace(), newNamespace()
		createStream(team, "app", istagRef("base", "base:v1", shared))
		Eventually(func() string {
			c := meta.FindStatusCondition(getStream(team, "app").Status.Conditions, imagev1.ReadyCondition)
			if c == nil {
				return ""
			}
			return c.Reason
		}).Should(Equal(imagev1.ReasonWaitingForSource))

		d1, err := reg.PushImage("base", "v1", testregistry.ImageSpec{Cmd: []string{"base"}})
		Expect(err).NotTo(HaveOccurred())
		createStream(shared, "base", dockerTag("v1", reg.Host()+"/base:v1"))
		Eventually(currentImage(team, "app", "base")).Should(Equal(d1.String()))
		Expect(getImage(team, d1.String()).DockerImageMetadata.Config.Cmd).To(Equal([]string{"base"}),
			"the Image is created in the destination namespace")

		d2, err := reg.MoveTag("base", "v1")
		Expect(err).NotTo(HaveOccurred())
		requestImport(shared, "base")
		Eventually(currentImage(shared, "base", "v1")).Should(Equal(d2.String()))
		Consistently(currentImage(team, "app", "base"), "2s").Should(Equal(d1.String()),
			"a copy does not follow later moves of its source")
	})

	It("rolls a tag back to an older image of the stream and forward again", func() {
		ns := newNamespace()
		d1, err := reg.PushImage("web", "latest", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		createStream(ns, "web", dockerTag("latest", reg.Host()+"/web:latest"))
		Eventually(currentImage(ns, "web", "latest")).Should(Equal(d1.String()))
		d2, err := reg.MoveTag("web", "latest")
		Expect(err).NotTo(HaveOccurred())
		requestImport(ns, "web")
		Eventually(currentImage(ns, "web", "latest")).Should(Equal(d2.String()))

		pointAt := func(kind, name string) {
			is := getStream(ns, "web")
			patch := client.MergeFrom(is.DeepCopy())
			is.Spec.Tags[0].From = &imagev1.ObjectReference{Kind: kind, Name: name}
			Expect(k8sClient.Patch(ctx, is, patch)).To(Succeed())
		}
		pointAt(imagev1.ImageStreamImageKind, "web@"+d1.String()[:19])
		Eventually(currentImage(ns, "web", "latest")).Should(Equal(d1.String()))
		pointAt(imagev1.ImageStreamImageKind, "web@"+d2.String())
		Eventually(currentImage(ns, "web", "latest")).Should(Equal(d2.String()))

		var history []string
		for _, e := range imagestream.StatusTag(&getStream(ns, "web").Status, "latest").Items {
			history = append(history, e.Image)
		}
		Expect(history).To(Equal([]string{d2.String(), d1.String(), d2.String(), d1.String()}))
	})
})

var _ = Describe("Scheduled import", func() {
	It("picks up a moved upstream tag with no spec change, and writes nothing while it is unchanged", func() {
		reg := testregistry.New(GinkgoT(), testregistry.Options{})
		ns := newNamespace()
		d1, err := reg.PushImage("nightly", "latest", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		tag := dockerTag("latest", reg.Host()+"/nightly:latest")
		tag.ImportPolicy.Scheduled = true
		createStream(ns, "nightly", tag)
		Eventually(currentImage(ns, "nightly", "latest")).Should(Equal(d1.String()))
		Expect(testutil.ToFloat64(scheduledTags)).To(BeNumerically(">=", 1), "imagestream_scheduled_tags counts the tag")

		By("checking an unchanged tag several times without writing")
		rv := getStream(ns, "nightly").ResourceVersion
		reg.ResetRequests()
		admitted := testutil.ToFloat64(scheduledChecks.WithLabelValues(resultAdmitted))
		Eventually(func() int { return reg.Count("HEAD", "/manifests/latest") }).WithTimeout(4 * scheduledInterval).Should(BeNumerically(">=", 2))
		// At most one of those checks was admitted before admitted was read.
		Expect(testutil.ToFloat64(scheduledChecks.WithLabelValues(resultAdmitted))).To(BeNumerically(">=", admitted+1),
			`imagestream_scheduled_checks_total{result="admitted"} counts the checks`)
		Expect(getStream(ns, "nightly").ResourceVersion).To(Equal(rv), "an unchanged scheduled check writes nothing")
		Expect(reg.Count("GET", "/manifests/")).To(BeZero(), "an unchanged digest is not fetched again")

		By("moving the upstream tag")
		d2, err := reg.MoveTag("nightly", "latest")
		Expect(err).NotTo(HaveOccurred())
		Eventually(currentImage(ns, "nightly", "latest")).WithTimeout(4 * scheduledInterval).Should(Equal(d2.String()))
		Expect(getStream(ns, "nightly").Generation).To(Equal(int64(1)), "no spec change was needed")
		Expect(imagestream.StatusTag(&getStream(ns, "nightly").Status, "latest").Items).To(HaveLen(2))
	})
})

var _ = Describe("Bulk import and limits", func() {
	var reg *testregistry.Registry
	BeforeEach(func() {
		reg = testregistry.New(GinkgoT(), testregistry.Options{})
	})

	It("imports 50 of a 60-tag repository in priority order and reports the other 10", func() {
		ns := newNamespace()
		var tags []string
		for i := range 58 {
			tags = append(tags, fmt.Sprintf("1.%d.0", i))
		}
		tags = append(tags, "latest", "2.1")
		for i, tag := range tags {
			_, err := reg.PushImage("bulk", tag, testregistry.ImageSpec{Seed: int64(i)})
			Expect(err).NotTo(HaveOccurred())
		}
		isi := &imagev1.ImageStreamImport{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bulk"},
			Spec: imagev1.ImageStreamImportSpec{Import: true, Repository: &imagev1.RepositoryImportSpec{
				From:         imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: reg.Host() + "/bulk"},
				ImportPolicy: imagev1.TagImportPolicy{Insecure: true},
			}},
		}
		Expect(k8sClient.Create(ctx, isi)).To(Succeed())
		Eventually(func() *imagev1.RepositoryImportStatus {
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(isi), isi)).To(Succeed())
			return isi.Status.Repository
		}).ShouldNot(BeNil())
		repo := isi.Status.Repository
		Expect(repo.Images).To(HaveLen(50))
		Expect(repo.AdditionalTags).To(HaveLen(10))
		Expect(repo.Images[0].Tag).To(Equal("latest"))
		Expect(repo.Images[1].Tag).To(Equal("2.1"))
		Expect(repo.Images[2].Tag).To(Equal("1.57.0"))
		Expect(repo.AdditionalTags).To(ContainElement("1.0.0"))
		Eventually(func() int { return len(getStream(ns, "bulk").Status.Tags) }).Should(Equal(50))
	})

	It("imports the tags of spec.dockerImageRepository into status only", func() {
		ns := newNamespace()
		for i, tag := range []string{"latest", "1.0", "edge"} {
			_, err := reg.PushImage("repo", tag, testregistry.ImageSpec{Seed: int64(i)})
			Expect(err).NotTo(HaveOccurred())
		}
		is := &imagev1.ImageStream{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "repo", Annotations: map[string]string{imagev1.InsecureRepositoryAnnotation: "true"}},
			Spec:       imagev1.ImageStreamSpec{DockerImageRepository: reg.Host() + "/repo"},
		}
		Expect(k8sClient.Create(ctx, is)).To(Succeed())
		for _, tag := range []string{"latest", "1.0", "edge"} {
			Eventually(currentImage(ns, "repo", tag)).ShouldNot(BeEmpty(), tag)
		}
		is = getStream(ns, "repo")
		Expect(is.Spec.Tags).To(BeEmpty(), "the operator never writes spec")
		Expect(is.Status.DockerImageRepository).To(Equal(reg.Host() + "/repo"))
	})

	It("bounds each tag's history and warns about what it trimmed", func() {
		ns := newNamespace()
		_, err := reg.PushImage("busy", "latest", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		createStream(ns, "busy", dockerTag("latest", reg.Host()+"/busy:latest"))
		Eventually(currentImage(ns, "busy", "latest")).ShouldNot(BeEmpty())
		for range 26 {
			d, err := reg.MoveTag("busy", "latest")
			Expect(err).NotTo(HaveOccurred())
			requestImport(ns, "busy")
			Eventually(currentImage(ns, "busy", "latest")).Should(Equal(d.String()))
		}
		Expect(imagestream.StatusTag(&getStream(ns, "busy").Status, "latest").Items).To(HaveLen(25))
		Eventually(func() []string {
			list := &eventsv1.EventList{}
			Expect(k8sClient.List(ctx, list, client.InNamespace(ns))).To(Succeed())
			var reasons []string
			for _, e := range list.Items {
				if e.Type == corev1.EventTypeWarning {
					reasons = append(reasons, e.Reason)
				}
			}
			return reasons
		}).Should(ContainElement("HistoryTrimmed"))
	})

	It("refuses link-local and metadata addresses", func() {
		ns := newNamespace()
		createStream(ns, "metadata", dockerTag("creds", "169.254.169.254/latest/meta-data:v1"))
		Eventually(importFailure(ns, "metadata", "creds")).Should(Equal("Forbidden"))
		Expect(imagestream.ImportFailure(&getStream(ns, "metadata").Status, "creds").Message).To(
			ContainSubstring(`importing images from registry "169.254.169.254" is forbidden`))
	})
})
