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

package v1_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/test/testenv"
)

const namespace = "default"

// object parses a YAML manifest the way a user would write it.
func object(manifest string) *unstructured.Unstructured {
	GinkgoHelper()
	u := &unstructured.Unstructured{}
	Expect(yaml.Unmarshal([]byte(manifest), &u.Object)).To(Succeed())
	u.SetNamespace(namespace)
	return u
}

// stream returns an ImageStream manifest with the given name and spec.
func stream(name, spec string) string {
	return "apiVersion: image.imagestreams.io/v1\nkind: ImageStream\nmetadata:\n  name: " + name + "\nspec:\n" + spec
}

// createAndDelete creates the object and, when that succeeded, removes it again.
func createAndDelete(u *unstructured.Unstructured) error {
	err := k8sClient.Create(ctx, u)
	if err == nil {
		Expect(k8sClient.Delete(ctx, u)).To(Succeed())
	}
	return err
}

var _ = Describe("ImageStream schema", func() {
	DescribeTable("accepts valid streams",
		func(name, spec string) {
			Expect(createAndDelete(object(stream(name, spec)))).To(Succeed())
		},
		Entry("empty spec", "empty", "  {}\n"),
		Entry("dots, underscores-free separators and digits in the name", "my.stream-1", "  {}\n"),
		Entry("a 63-character name", strings.Repeat("a", 63), "  {}\n"),
		Entry("DockerImage tag with every option", "full", `
  lookupPolicy: {local: true}
  tags:
  - name: "3.12"
    annotations: {description: Python 3.12, importer.image.openshift.io/prefer-arch: arm64}
    from: {kind: DockerImage, name: docker.io/library/python:3.12}
    generation: 2
    importPolicy: {insecure: true, scheduled: true, importMode: PreserveOriginal}
    referencePolicy: {type: Local}
  - name: legacy
    from: {kind: DockerImage, name: quay.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}
    importPolicy: {importMode: Legacy, scheduled: true}
    referencePolicy: {type: Source}
`),
		Entry("tracking alias, cross-stream tag and image", "aliases", `
  tags:
  - name: latest
    from: {kind: ImageStreamTag, name: "3.12"}
  - name: copied
    from: {kind: ImageStreamTag, name: "other:1.0", namespace: shared}
  - name: pinned
    from: {kind: ImageStreamImage, name: "other@sha256:abcdef0123456789"}
  - name: reference-only
    reference: true
    from: {kind: DockerImage, name: registry.example.com/team/app:v1}
`),
		Entry("a 128-character tag name starting with an underscore", "longtag", `
  tags:
  - name: _`+strings.Repeat("x", 127)+`
    from: {kind: DockerImage, name: busybox}
`),
	)

	DescribeTable("rejects invalid streams with a message that says what to fix",
		func(name, spec string, messages ...string) {
			err := createAndDelete(object(stream(name, spec)))
			Expect(err).To(HaveOccurred())
			for _, m := range messages {
				Expect(err.Error()).To(ContainSubstring(m))
			}
		},
		Entry("a tag name with '#'", "badtag", `
  tags:
  - name: invalid-tagname-test#123
    from: {kind: DockerImage, name: busybox}
`, `spec.tags[0].name`, `invalid tag "invalid-tagname-test#123" format, tags must start with an alphanumeric character followed by alphanumeric, '.' or '-' characters, and have a maximum of 128 characters`),
		Entry("a tag name starting with '.'", "dottag", `
  tags:
  - name: .hidden
`, `invalid tag ".hidden" format`),
		Entry("a 129-character tag name", "toolong", `
  tags:
  - name: `+strings.Repeat("x", 129)+`
`, `spec.tags[0].name`, `may not be more than 128`),
		Entry("an unknown import mode", "badmode", `
  tags:
  - name: latest
    from: {kind: DockerImage, name: busybox}
    importPolicy: {importMode: NoPreserveOriginal}
`, `spec.tags[0].importPolicy.importMode`, `valid ImportMode values are Legacy or PreserveOriginal`),
		Entry("an unknown reference policy", "badpolicy", `
  tags:
  - name: latest
    from: {kind: DockerImage, name: busybox}
    referencePolicy: {type: Remote}
`, `spec.tags[0].referencePolicy.type`, `valid referencePolicy.type values are Source or Local`),
		Entry("an unknown from.kind", "badkind", `
  tags:
  - name: latest
    from: {kind: DockerImageTag, name: busybox}
`, `spec.tags[0].from.kind`, `valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'`),
		Entry("from without a name", "noname", `
  tags:
  - name: latest
    from: {kind: DockerImage}
`, `spec.tags[0].from.name`, `Required value`),
		Entry("a scheduled ImageStreamTag", "schedist", `
  tags:
  - name: latest
    from: {kind: ImageStreamTag, name: "3.12"}
    importPolicy: {scheduled: true}
`, `spec.tags[0].importPolicy.scheduled`, `only tags pointing to Docker repositories may be scheduled for background import`),
		Entry("a scheduled tag without from", "schednofrom", `
  tags:
  - name: latest
    importPolicy: {scheduled: true}
`, `only tags pointing to Docker repositories may be scheduled for background import`),
		Entry("duplicate tag names", "duplicates", `
  tags:
  - name: latest
    from: {kind: DockerImage, name: busybox}
  - name: latest
    from: {kind: DockerImage, name: alpine}
`, `spec.tags[1]`, `Duplicate value`),
		Entry("a name with a double separator", "foo--bar", "  {}\n",
			`metadata.name must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"`),
		Entry("a name ending in a separator", "foo.", "  {}\n", `metadata.name`),
		Entry("a 64-character name", strings.Repeat("a", 64), "  {}\n",
			`metadata.name must be no more than 63 characters`),
	)

	It("does not default any spec field (the GitOps rule)", func() {
		u := object(stream("nodefaults", `
  tags:
  - name: latest
    from: {kind: DockerImage, name: busybox}
`))
		Expect(k8sClient.Create(ctx, u)).To(Succeed())
		DeferCleanup(k8sClient.Delete, ctx, u)
		tag := u.Object["spec"].(map[string]any)["tags"].([]any)[0].(map[string]any)
		Expect(tag).To(Equal(map[string]any{
			"name": "latest",
			"from": map[string]any{"kind": "DockerImage", "name": "busybox"},
		}))
	})

	It("stores the seed's example stream and its status unchanged", func() {
		// ../shared/seed/openshift-image-streams.txt, "Image streams", with our apiVersion.
		u := object(`
apiVersion: image.imagestreams.io/v1
kind: ImageStream
metadata:
  annotations:
    openshift.io/generated-by: OpenShiftNewApp
  labels:
    app: ruby-sample-build
    template: application-template-stibuild
  name: origin-ruby-sample
spec: {}
`)
		status := object(`
status:
  dockerImageRepository: 172.30.56.218:5000/test/origin-ruby-sample
  tags:
  - items:
    - created: "2017-09-02T10:15:09Z"
      dockerImageReference: 172.30.56.218:5000/test/origin-ruby-sample@sha256:47463d94eb5c049b2d23b03a9530bf944f8f967a0fe79147dd6b9135bf7dd13d
      generation: 2
      image: sha256:909de62d1f609a717ec433cc25ca5cf00941545c83a01fb31527771e1fab3fc5
    - created: "2017-09-01T13:40:11Z"
      dockerImageReference: 172.30.56.218:5000/test/origin-ruby-sample@sha256:909de62d1f609a717ec433cc25ca5cf00941545c83a01fb31527771e1fab3fc5
      generation: 1
      image: sha256:47463d94eb5c049b2d23b03a9530bf944f8f967a0fe79147dd6b9135bf7dd13d
    tag: latest
`).Object["status"]
		Expect(k8sClient.Create(ctx, u)).To(Succeed())
		DeferCleanup(k8sClient.Delete, ctx, u)
		u.Object["status"] = status
		Expect(k8sClient.Status().Update(ctx, u)).To(Succeed())

		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(u.GroupVersionKind())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(u), got)).To(Succeed())
		Expect(got.Object["spec"]).To(Equal(map[string]any{}))
		wantStatus, err := json.Marshal(status)
		Expect(err).NotTo(HaveOccurred())
		gotStatus, err := json.Marshal(got.Object["status"])
		Expect(err).NotTo(HaveOccurred())
		Expect(gotStatus).To(MatchJSON(wantStatus))
		Expect(got.GetLabels()).To(HaveKeyWithValue("template", "application-template-stibuild"))
		Expect(got.GetAnnotations()).To(HaveKeyWithValue("openshift.io/generated-by", "OpenShiftNewApp"))

		typed := &imagev1.ImageStream{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(u), typed)).To(Succeed())
		Expect(typed.Status.Tags).To(HaveLen(1))
		Expect(typed.Status.Tags[0].Items[0].Image).To(Equal("sha256:909de62d1f609a717ec433cc25ca5cf00941545c83a01fb31527771e1fab3fc5"))
		Expect(typed.Status.Tags[0].Items[1].Generation).To(Equal(int64(1)))
	})

	It("accepts every sample in config/samples", func() {
		files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "samples", "image_v1_*.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(files).NotTo(BeEmpty())
		for _, f := range files {
			data, err := os.ReadFile(f)
			Expect(err).NotTo(HaveOccurred())
			Expect(createAndDelete(object(string(data)))).To(Succeed(), f)
		}
	})
})

var _ = Describe("Image schema", func() {
	image := func() *imagev1.Image {
		return &imagev1.Image{
			ObjectMeta: metav1.ObjectMeta{
				Name:      "sha256-47463d94eb5c049b2d23b03a9530bf944f8f967a0fe79147dd6b9135bf7dd13d",
				Namespace: namespace,
			},
			ImageData: imagev1.ImageData{
				DockerImageReference:         "quay.io/org/app@sha256:47463d94eb5c049b2d23b03a9530bf944f8f967a0fe79147dd6b9135bf7dd13d",
				DockerImageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
				DockerImageMetadata: &imagev1.DockerImage{
					ID:           "sha256:909de62d1f609a717ec433cc25ca5cf00941545c83a01fb31527771e1fab3fc5",
					Architecture: "amd64",
					OS:           "linux",
					Size:         196634330,
					Config: &imagev1.DockerConfig{
						Cmd:          []string{"/usr/libexec/s2i/run"},
						Entrypoint:   []string{"container-entrypoint"},
						Env:          []string{"RACK_ENV=production"},
						ExposedPorts: map[string]imagev1.Empty{"8080/tcp": {}},
						Labels:       map[string]string{"io.k8s.display-name": "Ruby 2.7"},
						User:         "1001",
						WorkingDir:   "/opt/app-root/src",
					},
				},
				DockerImageLayers: []imagev1.ImageLayer{{
					Name:      "sha256:ee1dd2cb6df21971f4af6de0f1d7782b81fb63156801cfde2bb47b4247c23c29",
					LayerSize: 196634330,
					MediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
				}},
			}}
	}

	It("keeps the metadata and refuses any change to it", func() {
		img := image()
		Expect(k8sClient.Create(ctx, img)).To(Succeed())
		DeferCleanup(k8sClient.Delete, ctx, img)

		got := &imagev1.Image{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(img), got)).To(Succeed())
		Expect(got.DockerImageMetadata).To(Equal(image().DockerImageMetadata))
		Expect(got.DockerImageLayers).To(Equal(image().DockerImageLayers))

		got.DockerImageReference = "quay.io/org/other@sha256:47463d94eb5c049b2d23b03a9530bf944f8f967a0fe79147dd6b9135bf7dd13d"
		err := k8sClient.Update(ctx, got)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("Image objects are immutable"))

		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(img), got)).To(Succeed())
		got.DockerImageMetadata.Config.Cmd = []string{"sh"}
		Expect(k8sClient.Update(ctx, got)).To(MatchError(ContainSubstring("Image objects are immutable")))
	})

	It("still lets owners and labels change, so garbage collection works", func() {
		img := image()
		Expect(k8sClient.Create(ctx, img)).To(Succeed())
		DeferCleanup(k8sClient.Delete, ctx, img)
		img.Labels = map[string]string{"image.imagestreams.io/stream": "ruby"}
		img.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: imagev1.GroupVersion.String(), Kind: "ImageStream", Name: "ruby", UID: "0b7ac4c4-3c31-4f0b-9d63-3f2c25c0f0aa",
		}}
		Expect(k8sClient.Update(ctx, img)).To(Succeed())
	})

	It("refuses layers on a manifest list", func() {
		img := image()
		img.DockerImageManifests = []imagev1.ImageManifest{{
			Digest: "sha256:909de62d1f609a717ec433cc25ca5cf00941545c83a01fb31527771e1fab3fc5", MediaType: "application/vnd.oci.image.manifest.v1+json",
			ManifestSize: 500, Architecture: "amd64", OS: "linux",
		}}
		Expect(k8sClient.Create(ctx, img)).To(MatchError(ContainSubstring("dockerImageLayers should not be set when dockerImageManifests is set")))
	})
})

var _ = Describe("ImageStreamImport schema", func() {
	isi := func(spec string) *unstructured.Unstructured {
		return object("apiVersion: image.imagestreams.io/v1\nkind: ImageStreamImport\nmetadata:\n  name: busybox\nspec:\n" + spec)
	}

	It("accepts an image import and a repository import", func() {
		Expect(createAndDelete(isi(`
  import: true
  images:
  - from: {kind: DockerImage, name: docker.io/library/busybox:latest}
    to: {name: latest}
    importPolicy: {importMode: PreserveOriginal}
`))).To(Succeed())
		Expect(createAndDelete(isi(`
  import: false
  repository:
    from: {kind: DockerImage, name: docker.io/library/busybox}
`))).To(Succeed())
	})

	DescribeTable("rejects",
		func(spec, message string) {
			Expect(createAndDelete(isi(spec))).To(MatchError(ContainSubstring(message)))
		},
		Entry("neither images nor repository", "  import: true\n", "you must specify at least one image or a repository import"),
		Entry("an ImageStreamTag source", `
  images:
  - from: {kind: ImageStreamTag, name: "other:latest"}
`, "only DockerImage is supported"),
		Entry("a target without a name", `
  images:
  - from: {kind: DockerImage, name: busybox}
    to: {}
`, "the name of the target tag must be specified"),
		Entry("an unknown import mode", `
  images:
  - from: {kind: DockerImage, name: busybox}
    importPolicy: {importMode: legacy}
`, "valid ImportMode values are Legacy or PreserveOriginal"),
	)
})
