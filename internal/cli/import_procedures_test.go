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

package cli

import (
	"encoding/base64"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

var _ = Describe("The seed's import procedures", func() {
	It("imports from a private registry with the namespace's pull secret", func() {
		creds := &testregistry.Credentials{Username: "puller", Password: "s3cret"}
		reg := testregistry.New(GinkgoT(), testregistry.Options{BasicAuth: creds})
		ns := newNamespace()
		d, err := reg.PushImage("team/app", "v1", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		from := reg.Host() + "/team/app:v1"

		By("failing without credentials")
		r := run(ns, "import", "app:v1", "--from="+from, "--confirm", "--insecure")
		Expect(r.err).To(MatchError("imported completed with errors"))
		Expect(r.errOut).To(HavePrefix("error: tag v1 failed: "))

		By("oc create secret generic <secret_name> --from-file=.dockerconfigjson=<file> --type=kubernetes.io/dockerconfigjson")
		auth := base64.StdEncoding.EncodeToString([]byte(creds.Username + ":" + creds.Password))
		config, err := json.Marshal(map[string]any{"auths": map[string]any{reg.Host(): map[string]string{"auth": auth}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(k8sClient.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pull-secret"},
			Type:       corev1.SecretTypeDockerConfigJson,
			Data:       map[string][]byte{corev1.DockerConfigJsonKey: config},
		})).To(Succeed())

		By("oc import-image <imagestreamtag> --from=<image> --confirm")
		out := ok(ns, "import-image", "app:v1", "--from="+from, "--confirm", "--insecure")
		Expect(out).To(HavePrefix("imagestream.image.imagestreams.io/app imported\n"))
		Expect(out).To(ContainSubstring("  * " + reg.Host() + "/team/app@" + d.String() + "\n"))
		Eventually(currentImage(ns, "app", "v1")).Should(Equal(d.String()))
	})

	It("switches a tag between a manifest list and one of its images with --import-mode", func() {
		reg := testregistry.New(GinkgoT(), testregistry.Options{})
		ns := newNamespace()
		index, children, err := reg.PushIndex("team/multi", "v1", testregistry.DockerSchema2)
		Expect(err).NotTo(HaveOccurred())
		from := reg.Host() + "/team/multi:v1"
		mode := func() imagev1.ImportModeType { return specTag(stream(ns, "multi"), "v1").ImportPolicy.ImportMode }

		By("oc import-image <multiarch-image-stream-tag> --from=<registry>/<project_name>/<image-name> --import-mode='Legacy' --confirm")
		ok(ns, "import", "multi:v1", "--from="+from, "--import-mode=Legacy", "--confirm", "--insecure")
		Eventually(currentImage(ns, "multi", "v1")).Should(Equal(children["linux/amd64"].String()))

		By("from single architecture to multi-architecture: --import-mode='PreserveOriginal'")
		out := ok(ns, "import", "multi:v1", "--from="+from, "--import-mode=PreserveOriginal")
		Expect(out).To(ContainSubstring("Manifests:\tlinux/amd64\t" + children["linux/amd64"].String() + "\n"))
		Eventually(currentImage(ns, "multi", "v1")).Should(Equal(index.String()))
		Expect(mode()).To(Equal(imagev1.ImportModePreserveOriginal))

		By("periodic importing of a manifest list: --import-mode='PreserveOriginal' --scheduled=true")
		ok(ns, "import", "multi:v1", "--from="+from, "--import-mode=PreserveOriginal", "--scheduled=true")
		Expect(specTag(stream(ns, "multi"), "v1").ImportPolicy.Scheduled).To(BeTrue())

		By("from multi-architecture to single architecture: without --import-mode")
		ok(ns, "import", "multi:v1", "--from="+from)
		Eventually(currentImage(ns, "multi", "v1")).Should(Equal(children["linux/amd64"].String()))
		Expect(mode()).To(BeEmpty())
		Expect(specTag(stream(ns, "multi"), "v1").ImportPolicy.Insecure).To(BeTrue(), "an import keeps the tag's insecure flag")
	})
})
