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
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// importRequest creates an ImageStreamImport of pull spec from into tag of stream name.
func importRequest(ns, name, from, tag string, confirm bool) *imagev1.ImageStreamImport {
	GinkgoHelper()
	isi := &imagev1.ImageStreamImport{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: imagev1.ImageStreamImportSpec{Import: confirm, Images: []imagev1.ImageImportSpec{{
			From:         imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: from},
			To:           &imagev1.LocalObjectReference{Name: tag},
			ImportPolicy: imagev1.TagImportPolicy{Insecure: true},
		}}},
	}
	Expect(k8sClient.Create(ctx, isi)).To(Succeed())
	return isi
}

// importResult waits for the request's status.
func importResult(ns, name string) *imagev1.ImageStreamImport {
	GinkgoHelper()
	isi := &imagev1.ImageStreamImport{}
	Eventually(func() []imagev1.ImageImportStatus {
		Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, isi)).To(Succeed())
		return isi.Status.Images
	}).ShouldNot(BeEmpty())
	return isi
}

var _ = Describe("ImageStreamImport", func() {
	var reg *testregistry.Registry
	BeforeEach(func() {
		reg = testregistry.New(GinkgoT(), testregistry.Options{})
	})

	It("reports what a dry run would import without creating the stream", func() {
		ns := newNamespace()
		d, err := reg.PushImage("tools/busybox", "1.37", testregistry.ImageSpec{Cmd: []string{"sh"}})
		Expect(err).NotTo(HaveOccurred())
		importRequest(ns, "busybox", reg.Host()+"/tools/busybox:1.37", "1.37", false)

		st := importResult(ns, "busybox").Status
		Expect(st.Images[0].Status.Status).To(Equal(metav1.StatusSuccess))
		Expect(st.Images[0].Tag).To(Equal("1.37"))
		Expect(st.Images[0].Image.DockerImageReference).To(Equal(reg.Host() + "/tools/busybox@" + d.String()))
		Expect(st.Images[0].Image.DockerImageMetadata.Config.Cmd).To(Equal([]string{"sh"}))
		Expect(st.Import).To(BeNil())
		err = k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: "busybox"}, &imagev1.ImageStream{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "a dry run creates no stream")
	})

	It("creates the stream with the imported tag when confirmed", func() {
		ns := newNamespace()
		d, err := reg.PushImage("tools/busybox", "latest", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		importRequest(ns, "busybox", reg.Host()+"/tools/busybox:latest", "latest", true)

		st := importResult(ns, "busybox").Status
		Expect(st.Images[0].Status.Status).To(Equal(metav1.StatusSuccess))
		Expect(st.Import).NotTo(BeNil())
		Eventually(currentImage(ns, "busybox", "latest")).Should(Equal(d.String()))
		is := getStream(ns, "busybox")
		Expect(is.Spec.Tags).To(HaveLen(1))
		Expect(is.Spec.Tags[0].From.Name).To(Equal(reg.Host() + "/tools/busybox:latest"))
		Expect(getImage(ns, d.String()).OwnerReferences).To(ContainElement(HaveField("UID", is.UID)))
	})

	It("reports a missing image as a Failure with reason NotFound", func() {
		ns := newNamespace()
		importRequest(ns, "missing", reg.Host()+"/nothing/here:v1", "v1", false)
		st := importResult(ns, "missing").Status
		Expect(st.Images[0].Status.Status).To(Equal(metav1.StatusFailure))
		Expect(string(st.Images[0].Status.Reason)).To(Equal("NotFound"))
		Expect(st.Images[0].Status.Message).To(ContainSubstring("not found"))
	})
})
