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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

var _ = Describe("Workloads following a stream, through the operator's webhooks and trigger controller", Ordered, func() {
	const ns = "workloads"
	var reg *testregistry.Registry
	var pullSpec func(digest fmt.Stringer) string

	BeforeAll(func() {
		var err error
		reg, err = testregistry.Start(testregistry.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(reg.Close)
		pullSpec = func(digest fmt.Stringer) string { return reg.Host() + "/team/web@" + digest.String() }
		_, err = kubectl("create", "namespace", ns)
		Expect(err).NotTo(HaveOccurred())
	})

	applyStream := func() {
		GinkgoHelper()
		_, err := kubectlWithInput(fmt.Sprintf(`
apiVersion: image.imagestreams.io/v1
kind: ImageStream
metadata:
  name: web
spec:
  lookupPolicy: {local: true}
  tags:
  - name: latest
    from: {kind: DockerImage, name: %s/team/web:latest}
    importPolicy: {insecure: true}
`, reg.Host()), "apply", "--server-side", "-n", ns, "-f", "-")
		Expect(err).NotTo(HaveOccurred())
	}

	It("rolls out a Deployment when its tag is imported and again when it is re-imported after an upstream move", func() {
		first, err := reg.PushImage("team/web", "latest", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		_, err = kubectlWithInput(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"web:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\"web\")].image"}]'
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: registry.invalid/placeholder}
`, "apply", "--server-side", "-n", ns, "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		applyStream()

		image, replicaSets := deploymentImage(ns, "web"), replicaSetImages(ns)
		Eventually(image).WithTimeout(60 * time.Second).Should(Equal(pullSpec(first)))
		Eventually(replicaSets).WithTimeout(60 * time.Second).Should(ContainSubstring(pullSpec(first)))

		second, err := reg.MoveTag("team/web", "latest")
		Expect(err).NotTo(HaveOccurred())
		_, err = kubectl("annotate", "is/web", "-n", ns, "--overwrite", "image.imagestreams.io/import-requested-at="+time.Now().UTC().Format(time.RFC3339Nano))
		Expect(err).NotTo(HaveOccurred())
		Eventually(image).WithTimeout(60 * time.Second).Should(Equal(pullSpec(second)))
		Eventually(replicaSets).WithTimeout(60 * time.Second).Should(ContainSubstring(pullSpec(second)))

		out, err := kubectl("events", "-n", ns, "--for", "deployment/web")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(ContainSubstring("ImageUpdated"))
	})

	It("refuses a trigger on a container the Deployment does not have, naming it", func() {
		out, err := kubectl("annotate", "deployment/web", "-n", ns, "--overwrite",
			`image.openshift.io/triggers=[{"from":{"kind":"ImageStreamTag","name":"web:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\"api\")].image"}]`)
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring(`metadata.annotations[image.openshift.io/triggers][0].fieldPath`))
		Expect(out).To(ContainSubstring(`no such container: the pod spec has no container named "api"`))
	})

	It("rewrites a pod's short image name to the tag's digest pull spec (lookupPolicy.local)", func() {
		current, err := kubectl("get", "is/web", "-n", ns, "-o", `jsonpath={.status.tags[?(@.tag=="latest")].items[0].dockerImageReference}`)
		Expect(err).NotTo(HaveOccurred())
		Expect(current).To(HavePrefix(reg.Host() + "/team/web@sha256:"))
		_, err = kubectl("run", "web", "-n", ns, "--image=web:latest", "--restart=Never")
		Expect(err).NotTo(HaveOccurred())
		Expect(kubectl("get", "pod/web", "-n", ns, "-o", "jsonpath={.spec.containers[0].image}")).To(Equal(current))

		By("a fully qualified image is left as it is")
		_, err = kubectl("run", "other", "-n", ns, "--image=registry.example.com/team/web:latest", "--restart=Never")
		Expect(err).NotTo(HaveOccurred())
		Expect(kubectl("get", "pod/other", "-n", ns, "-o", "jsonpath={.spec.containers[0].image}")).
			To(Equal("registry.example.com/team/web:latest"))
	})
})
