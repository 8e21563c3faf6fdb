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
	"context"
	"net/http"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagestreams/imagestream-operator/test/distribution"
)

// The integrated registry of this suite is CNCF Distribution (test/distribution) over
// HTTPS, sending its notifications to the operator's receiver, which serves a certificate of
// the registry's CA; the operator trusts that CA through SSL_CERT_FILE, as a cluster's
// operator trusts its registry's CA bundle.

// notificationToken is the receiver's bearer token, kept in a Secret of the operator's
// namespace (--notification-token-secret).
const notificationToken = "e2e-notification-token-0123456789abcdef"

// push pushes a new random image to the integrated registry as repository:tag and returns
// its digest.
func push(repository, tag string) v1.Hash {
	GinkgoHelper()
	img, err := distribution.NewImage()
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	digest, err := integrated.Push(ctx, repository, tag, img)
	Expect(err).NotTo(HaveOccurred())
	return digest
}

// notificationTokenSecret is the Secret holding notificationToken.
func notificationTokenSecret() *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: "notification-token"},
		StringData: map[string]string{"token": notificationToken},
	}
}

var _ = Describe("Pushes to the integrated registry (CNCF Distribution notifications)", Ordered, func() {
	const ns = "pushed"

	BeforeAll(func() {
		_, err := kubectl("create", "namespace", ns)
		Expect(err).NotTo(HaveOccurred())
	})

	It("creates the stream on the first push and rolls out the Deployment that follows it on every push", func() {
		_, err := kubectlWithInput(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  annotations:
    image.imagestreams.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\"app\")].image"}]'
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - {name: app, image: registry.invalid/placeholder}
`, "apply", "--server-side", "-n", ns, "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		pullSpec := func(digest v1.Hash) string { return integrated.Host + "/" + ns + "/app@" + digest.String() }
		current := func() (string, error) {
			return kubectl("get", "is/app", "-n", ns, "-o", `jsonpath={.status.tags[?(@.tag=="latest")].items[0].dockerImageReference}`)
		}
		image, replicaSets := deploymentImage(ns, "app"), replicaSetImages(ns)

		By("pushing app:latest: the stream appears with the tag, and the Deployment rolls out")
		first := push(ns+"/app", "latest")
		Eventually(current).WithTimeout(30 * time.Second).Should(Equal(pullSpec(first)))
		Eventually(image).WithTimeout(30 * time.Second).Should(Equal(pullSpec(first)))
		Eventually(replicaSets).WithTimeout(60 * time.Second).Should(ContainSubstring(pullSpec(first)))
		Expect(kubectl("get", "is/app", "-n", ns, "-o", "jsonpath={.status.dockerImageRepository}")).
			To(Equal(integrated.Host + "/" + ns + "/app"))

		By("pushing app:latest again: the tag moves, its history keeps the first image, and a second rollout follows")
		second := push(ns+"/app", "latest")
		Eventually(current).WithTimeout(30 * time.Second).Should(Equal(pullSpec(second)))
		Eventually(image).WithTimeout(30 * time.Second).Should(Equal(pullSpec(second)))
		Eventually(replicaSets).WithTimeout(60 * time.Second).Should(ContainSubstring(pullSpec(second)))
		Expect(kubectl("get", "is/app", "-n", ns, "-o", `jsonpath={.status.tags[?(@.tag=="latest")].items[*].image}`)).
			To(Equal(second.String() + " " + first.String()))

		By("pushing another tag: it appears next to latest, imported with its metadata")
		third := push(ns+"/app", "v2")
		Eventually(func() (string, error) {
			return kubectl("get", "is/app", "-n", ns, "-o", `jsonpath={.status.tags[?(@.tag=="v2")].items[0].image}`)
		}).WithTimeout(30 * time.Second).Should(Equal(third.String()))
		Expect(kubectl("get", "images.image.imagestreams.io", "-n", ns, "sha256-"+third.Hex, "-o", "jsonpath={.dockerImageManifestMediaType}")).
			NotTo(BeEmpty())
	})

	It("refuses a notification without the token", func() {
		req, err := http.NewRequest(http.MethodPost, "https://"+receiverAddr+"/distribution",
			strings.NewReader(`{"events":[]}`))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Content-Type", "application/vnd.docker.distribution.events.v2+json")
		resp, err := (&http.Client{Transport: integrated.Transport}).Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
	})
})
