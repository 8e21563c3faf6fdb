//go:build e2e

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

package e2e

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

var _ = Describe("Installing and using the API with kubectl", Ordered, func() {
	It("serves the kinds with their short names", func() {
		out, err := kubectl("api-resources", "--api-group=image.imagestreams.io", "-o", "wide")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(MatchRegexp(`imagestreams\s+is\s+image.imagestreams.io/v1\s+true\s+ImageStream`))
		Expect(out).To(MatchRegexp(`imagestreamimports\s+isimport\s+image.imagestreams.io/v1\s+true\s+ImageStreamImport`))
		Expect(out).To(MatchRegexp(`images\s+image.imagestreams.io/v1\s+true\s+Image`))
	})

	// samplesState returns what a GitOps tool must never see change once the samples are
	// synced: the objects' resource versions and generations.
	samplesState := func(ns string) (string, error) {
		return kubectl("get", "is/python", "isimport/busybox", "-n", ns, "-o",
			"jsonpath={range .items[*]}{.kind}/{.metadata.name} rv={.metadata.resourceVersion} generation={.metadata.generation}{'\\n'}{end}")
	}
	// waitSamplesReady waits until the operator has imported the samples from the Docker
	// Hub mirror: python Ready, the busybox dry run successful.
	waitSamplesReady := func(ns string) {
		GinkgoHelper()
		Eventually(func() (string, error) {
			return kubectl("get", "is/python", "isimport/busybox", "-n", ns, "-o",
				`jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status} {.items[1].status.images[0].status.status}`)
		}).WithTimeout(60 * time.Second).Should(Equal("True Success"))
	}

	It("applies config/samples server-side until Ready, and applying again changes nothing", func() {
		out, err := kubectl("apply", "--server-side", "-k", "config/samples")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(ContainSubstring("imagestream.image.imagestreams.io/python serverside-applied"))
		Expect(out).To(ContainSubstring("imagestreamimport.image.imagestreams.io/busybox serverside-applied"))
		waitSamplesReady("default")

		before, err := samplesState("default")
		Expect(err).NotTo(HaveOccurred())
		Expect(before).To(ContainSubstring("ImageStream/python rv="))
		Expect(before).To(ContainSubstring("generation=1\n"))
		_, err = kubectl("apply", "--server-side", "-k", "config/samples")
		Expect(err).NotTo(HaveOccurred())
		Expect(samplesState("default")).To(Equal(before), "a repeated server-side apply must not write")

		out, err = kubectl("diff", "--server-side", "-k", "config/samples")
		Expect(err).NotTo(HaveOccurred(), "kubectl diff exits 1 when it finds drift")
		Expect(strings.TrimSpace(out)).To(BeEmpty())
	})

	It("applies config/samples client-side until Ready, and applying again changes nothing", func() {
		const ns = "gitops-client-side"
		_, err := kubectl("create", "namespace", ns)
		Expect(err).NotTo(HaveOccurred())
		_, err = kubectl("apply", "-n", ns, "-k", "config/samples")
		Expect(err).NotTo(HaveOccurred())
		waitSamplesReady(ns)

		before, err := samplesState(ns)
		Expect(err).NotTo(HaveOccurred())
		out, err := kubectl("apply", "-n", ns, "-k", "config/samples")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(ContainSubstring("imagestream.image.imagestreams.io/python unchanged"))
		Expect(out).To(ContainSubstring("imagestreamimport.image.imagestreams.io/busybox unchanged"))
		Expect(samplesState(ns)).To(Equal(before), "a repeated client-side apply must not write")

		out, err = kubectl("diff", "-n", ns, "-k", "config/samples")
		Expect(err).NotTo(HaveOccurred(), "kubectl diff exits 1 when it finds drift")
		Expect(strings.TrimSpace(out)).To(BeEmpty())
	})

	It("lists streams with the printer columns", func() {
		out, err := kubectl("get", "is")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(MatchRegexp(`NAME\s+IMAGE REPOSITORY\s+TAGS\s+READY\s+AGE`))
		Expect(out).To(ContainSubstring("python"))
	})

	It("shows the schema's message when kubectl applies an invalid stream", func() {
		out, err := kubectlWithInput(`
apiVersion: image.imagestreams.io/v1
kind: ImageStream
metadata:
  name: ruby
spec:
  tags:
  - name: "3.3"
    from: {kind: DockerImage, name: docker.io/library/ruby:3.3}
    importPolicy: {importMode: NoPreserveOriginal}
`, "apply", "--server-side", "-f", "-")
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring(`spec.tags[0].importPolicy.importMode`))
		Expect(out).To(ContainSubstring(`valid ImportMode values are Legacy or PreserveOriginal`))
	})
})

var _ = Describe("Importing an image with bin/manager", func() {
	It("imports a tag applied with kubectl and shows it in kubectl get", func() {
		reg, err := testregistry.Start(testregistry.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(reg.Close)
		digest, err := reg.PushImage("library/busybox", "1.37", testregistry.ImageSpec{Cmd: []string{"sh"}})
		Expect(err).NotTo(HaveOccurred())

		_, err = kubectlWithInput(fmt.Sprintf(`
apiVersion: image.imagestreams.io/v1
kind: ImageStream
metadata:
  name: busybox
spec:
  tags:
  - name: "1.37"
    from: {kind: DockerImage, name: %s/library/busybox:1.37}
    importPolicy: {insecure: true}
`, reg.Host()), "apply", "--server-side", "-f", "-")
		Expect(err).NotTo(HaveOccurred())

		Eventually(func() (string, error) {
			return kubectl("get", "is/busybox", "-o", `jsonpath={.status.tags[?(@.tag=="1.37")].items[0].image}`)
		}).WithTimeout(60 * time.Second).Should(Equal(digest.String()))

		out, err := kubectl("get", "images")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(ContainSubstring(strings.Replace(digest.String(), ":", "-", 1)))

		out, err = kubectl("get", "is", "busybox")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(MatchRegexp(`busybox\s+1.37\s+True`))
	})
})
