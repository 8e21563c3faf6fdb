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

package notification

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

const bearer = "Bearer " + testToken

// newNamespace creates a namespace for one spec.
func newNamespace() string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "push-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// distributionPush is the envelope CNCF Distribution sends for a manifest push of
// repository:tag as digest to host.
func distributionPush(host, repository, tag, digest string) []byte {
	event := map[string]any{
		"action": "push",
		"target": map[string]any{
			"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": digest,
			"repository": repository, "tag": tag, "url": "https://" + host + "/v2/" + repository + "/manifests/" + digest,
		},
		"request": map[string]any{"host": host, "method": "PUT"},
	}
	data, err := json.Marshal(map[string]any{"events": []any{event}})
	Expect(err).NotTo(HaveOccurred())
	return data
}

// postPush posts a Distribution envelope to the suite's receiver and returns the status.
func postPush(body []byte) int {
	GinkgoHelper()
	status, _ := post(httpsClient, receiverURL+PathDistribution, DistributionEventsV1MediaType, bearer, body)
	return status
}

// currentEvent returns the current event of ns/name:tag, nil when there is none.
func currentEvent(ns, name, tag string) func() *imagev1.TagEvent {
	return func() *imagev1.TagEvent {
		is := &imagev1.ImageStream{}
		if err := k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, is); err != nil {
			return nil
		}
		return imagestream.LatestEvent(&is.Status, tag)
	}
}

// streamsIn lists the names of the streams of ns.
func streamsIn(ns string) []string {
	GinkgoHelper()
	list := &imagev1.ImageStreamList{}
	Expect(k8sClient.List(ctx, list, client.InNamespace(ns))).To(Succeed())
	var names []string
	for _, is := range list.Items {
		names = append(names, is.Name)
	}
	return names
}

// startHTTPReceiver starts, for the running spec, a receiver of its own over plain HTTP with
// opts (the suite's token and registry), sharing the manager's client and index, and returns
// its URL.
func startHTTPReceiver(opts Options) string {
	GinkgoHelper()
	opts.BindAddress, opts.AllowHTTP = freeAddress(), true
	opts.Token, opts.RegistryHostnames = staticToken(testToken), []string{reg.Host()}
	receiver := &Receiver{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Options: opts}
	receiverCtx, stop := context.WithCancel(ctx)
	DeferCleanup(stop)
	go func() {
		defer GinkgoRecover()
		Expect(receiver.Start(receiverCtx)).To(Succeed())
	}()
	Eventually(func() error { return receiver.Serving(nil) }).Should(Succeed())
	return "http://" + opts.BindAddress
}

// staticToken is a TokenSource of a fixed token.
type staticToken string

func (t staticToken) Token(context.Context) ([]byte, error) { return []byte(t), nil }

var _ = Describe("Registry notification receiver", func() {
	It("records a push in the stream named after the repository, importing the tag from the registry", func() {
		ns := newNamespace()
		repo := ns + "/app"
		digest, err := reg.PushImage(repo, "v1", testregistry.ImageSpec{Cmd: []string{"/app"}})
		Expect(err).NotTo(HaveOccurred())

		By("creating the stream, as --create-streams-on-push is set")
		Expect(postPush(distributionPush(reg.Host(), repo, "v1", digest.String()))).To(Equal(http.StatusAccepted))
		Eventually(currentEvent(ns, "app", "v1")).Should(And(Not(BeNil()), HaveField("Image", digest.String()),
			HaveField("DockerImageReference", reg.Host()+"/"+repo+"@"+digest.String())))
		image := &imagev1.Image{}
		Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: "sha256-" + digest.Hex}, image)).To(Succeed())
		Expect(image.DockerImageMetadata.Config.Cmd).To(Equal([]string{"/app"}), "the metadata comes from the registry")
		is := &imagev1.ImageStream{}
		Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: "app"}, is)).To(Succeed())
		Expect(is.Spec.Tags).To(BeEmpty(), "a push writes status only, as an ImageStreamMapping")
		Expect(is.Status.DockerImageRepository).To(Equal(reg.Host() + "/" + repo))

		By("moving the tag on the next push, keeping the history")
		moved, err := reg.MoveTag(repo, "v1")
		Expect(err).NotTo(HaveOccurred())
		Expect(postPush(distributionPush(reg.Host(), repo, "v1", moved.String()))).To(Equal(http.StatusAccepted))
		Eventually(currentEvent(ns, "app", "v1")).Should(HaveField("Image", moved.String()))
		Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: "app"}, is)).To(Succeed())
		Expect(imagestream.StatusTag(&is.Status, "v1").Items).To(HaveLen(2))

		By("sending the same notification again imports nothing, and drops the handled entry")
		Expect(postPush(distributionPush(reg.Host(), repo, "v1", moved.String()))).To(Equal(http.StatusAccepted))
		Eventually(func() map[string]string {
			_ = k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: "app"}, is)
			return is.Annotations
		}).ShouldNot(HaveKey(imagev1.PushedTagsAnnotation))
		Consistently(func() []imagev1.TagEvent {
			_ = k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: "app"}, is)
			return imagestream.StatusTag(&is.Status, "v1").Items
		}, "1s").Should(HaveLen(2))
	})

	It("imports what the registry holds, not what the payload claims", func() {
		ns := newNamespace()
		repo := ns + "/app"
		digest, err := reg.PushImage(repo, "latest", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		Expect(postPush(distributionPush(reg.Host(), repo, "latest", digestA))).To(Equal(http.StatusAccepted))
		Eventually(currentEvent(ns, "app", "latest")).Should(HaveField("Image", digest.String()))
		Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: "sha256-" + strings.TrimPrefix(digestA, "sha256:")},
			&imagev1.Image{})).To(Satisfy(apierrors.IsNotFound))
	})

	It("ignores pushes to other registries and to repositories that name no stream", func() {
		ns := newNamespace()
		status, body := post(httpsClient, receiverURL+PathDistribution, DistributionEventsV1MediaType, bearer,
			distributionPush("elsewhere.example.com", ns+"/app", "latest", digestA))
		Expect(status).To(Equal(http.StatusAccepted))
		Expect(body).To(ContainSubstring(`"ignored":1`))
		Expect(postPush(distributionPush(reg.Host(), ns+"/group/app", "latest", digestA))).To(Equal(http.StatusAccepted))
		Expect(postPush(distributionPush(reg.Host(), "missing-namespace-x/app", "latest", digestA))).To(Equal(http.StatusAccepted))
		Consistently(func() []string { return streamsIn(ns) }, "1s").Should(BeEmpty())
	})

	It("refuses bad requests and writes nothing for them", func() {
		ns := newNamespace()
		valid := distributionPush(reg.Host(), ns+"/app", "latest", digestA)
		url := receiverURL + PathDistribution

		status, body := post(httpsClient, url, DistributionEventsV1MediaType, "", valid)
		Expect(status).To(Equal(http.StatusUnauthorized))
		Expect(body).To(ContainSubstring("Authorization: Bearer <token>"))
		status, body = post(httpsClient, url, DistributionEventsV1MediaType, "Bearer wrong-token-wrong-token", valid)
		Expect(status).To(Equal(http.StatusUnauthorized))
		Expect(body).To(ContainSubstring("wrong token"))
		status, _ = post(httpsClient, receiverURL+PathWebhook+"/wrong-token-wrong-token", "application/json", "", valid)
		Expect(status).To(Equal(http.StatusUnauthorized))

		status, body = post(httpsClient, url, "application/json", bearer, valid)
		Expect(status).To(Equal(http.StatusBadRequest))
		Expect(body).To(ContainSubstring("unknown notification format"))
		status, body = post(httpsClient, receiverURL+PathWebhook, "application/json", bearer, []byte(`{"hello":"world"}`))
		Expect(status).To(Equal(http.StatusBadRequest))
		Expect(body).To(ContainSubstring("expected a Docker Hub, Harbor or Quay webhook"))
		status, body = post(httpsClient, url, DistributionEventsV1MediaType, bearer,
			distributionPush(reg.Host(), ns+"/app", "latest", "sha256:short"))
		Expect(status).To(Equal(http.StatusBadRequest))
		Expect(body).To(ContainSubstring(`invalid digest \"sha256:short\"`))

		padded := append([]byte(`{"pad":"`+strings.Repeat("x", int(DefaultMaxBodyBytes))+`",`), valid[1:]...)
		status, _ = post(httpsClient, url, DistributionEventsV1MediaType, bearer, padded)
		Expect(status).To(Equal(http.StatusRequestEntityTooLarge))

		Consistently(func() []string { return streamsIn(ns) }, "1s").Should(BeEmpty())
	})

	It("rate-limits a flood with 429 and writes nothing for the refused requests", func() {
		ns := newNamespace()
		url := startHTTPReceiver(Options{ClientQPS: 0.001, ClientBurst: 2}) + PathDistribution
		plain := &http.Client{}

		for range 2 {
			status, _ := post(plain, url, DistributionEventsV1MediaType, bearer, []byte(`{"events":[]}`))
			Expect(status).To(Equal(http.StatusAccepted))
		}
		stream := &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"}}
		Expect(k8sClient.Create(ctx, stream)).To(Succeed())
		for range 5 {
			status, body := post(plain, url, DistributionEventsV1MediaType, bearer, distributionPush(reg.Host(), ns+"/app", "latest", digestA))
			Expect(status).To(Equal(http.StatusTooManyRequests))
			Expect(body).To(ContainSubstring("too many requests from this client"))
		}
		Consistently(func() map[string]string {
			_ = k8sClient.Get(ctx, client.ObjectKeyFromObject(stream), stream)
			return stream.Annotations
		}, "1s").ShouldNot(HaveKey(imagev1.PushedTagsAnnotation))
	})

	It("does not create streams unless asked to", func() {
		ns := newNamespace()
		url := startHTTPReceiver(Options{}) + PathDistribution
		status, body := post(&http.Client{}, url, DistributionEventsV1MediaType, bearer,
			distributionPush(reg.Host(), ns+"/app", "latest", digestA))
		Expect(status).To(Equal(http.StatusAccepted))
		Expect(body).To(ContainSubstring(`"ignored":1`))
		Consistently(func() []string { return streamsIn(ns) }, "1s").Should(BeEmpty())
	})

	It("re-imports the streams whose tags come from a repository on a re-check call or a webhook, trusting no payload tag", func() {
		ns := newNamespace()
		upstream := ns + "/upstream"
		first, err := reg.PushImage(upstream, "stable", testregistry.ImageSpec{})
		Expect(err).NotTo(HaveOccurred())
		stream := &imagev1.ImageStream{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "mirror"},
			Spec: imagev1.ImageStreamSpec{Tags: []imagev1.TagReference{{
				Name: "stable", From: &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: reg.Reference(upstream, "stable")},
			}}},
		}
		Expect(k8sClient.Create(ctx, stream)).To(Succeed())
		Eventually(currentEvent(ns, "mirror", "stable")).Should(HaveField("Image", first.String()))

		By("a re-check call")
		second, err := reg.MoveTag(upstream, "stable")
		Expect(err).NotTo(HaveOccurred())
		status, body := post(httpsClient, receiverURL+PathRecheck, "application/json", bearer,
			fmt.Appendf(nil, `{"repository":%q}`, reg.Host()+"/"+upstream))
		Expect(status).To(Equal(http.StatusAccepted), body)
		Expect(body).To(ContainSubstring(`"reimports":1`))
		Eventually(currentEvent(ns, "mirror", "stable")).Should(HaveField("Image", second.String()))

		By("a Harbor webhook, with the token in the path, naming a tag that does not exist")
		third, err := reg.MoveTag(upstream, "stable")
		Expect(err).NotTo(HaveOccurred())
		harbor := fmt.Appendf(nil, `{"type":"PUSH_ARTIFACT","occur_at":1733300000,"operator":"admin","event_data":{"resources":[`+
			`{"digest":%q,"tag":"no-such-tag","resource_url":%q}],"repository":{"name":"upstream","namespace":%q}}}`,
			digestB, reg.Host()+"/"+upstream+":no-such-tag", ns)
		status, body = post(httpsClient, receiverURL+PathWebhook+"/"+testToken, "application/json", "", harbor)
		Expect(status).To(Equal(http.StatusAccepted), body)
		Expect(body).To(ContainSubstring(`"format":"harbor"`))
		Eventually(currentEvent(ns, "mirror", "stable")).Should(HaveField("Image", third.String()))
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(stream), stream)).To(Succeed())
		Expect(imagestream.StatusTag(&stream.Status, "no-such-tag")).To(BeNil(), "payload tags are never trusted")
	})
})
