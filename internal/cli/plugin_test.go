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
	"fmt"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// pythonImage is the image the seed's examples describe.
var pythonImage = testregistry.ImageSpec{
	Entrypoint:   []string{"container-entrypoint"},
	Cmd:          []string{"/bin/sh", "-c", "$STI_SCRIPTS_PATH/usage"},
	WorkingDir:   "/opt/app-root/src",
	User:         "1001",
	ExposedPorts: []string{"8080/tcp"},
	Labels:       map[string]string{"build-date": "20170801"},
	Env:          []string{"PATH=/usr/bin", "HOME=/opt/app-root/src"},
	Layers:       2,
}

var _ = Describe("The seed's procedures through the plugin", func() {
	var reg *testregistry.Registry
	BeforeEach(func() {
		reg = testregistry.New(GinkgoT(), testregistry.Options{})
	})

	It("tags, describes, aliases, schedules and deletes tags like oc", func() {
		ns := newNamespace()
		py35, err := reg.PushImage("library/python", "3.5", pythonImage)
		Expect(err).NotTo(HaveOccurred())
		src := reg.Host() + "/library/python:3.5"
		ref35 := reg.Host() + "/library/python@" + py35.String()

		By("adding a tag for an external image: oc tag <repository/image> <image-name:tag>")
		Expect(ok(ns, "tag", "--insecure", src, "python:3.5")).To(Equal("Tag python:3.5 set to " + src + ".\n"))
		Eventually(currentImage(ns, "python", "3.5")).Should(Equal(py35.String()))
		settled(ns, "python")

		By("getting information about the image stream: oc describe is/<image-name>")
		Expect(ok(ns, "describe", "is/python")).To(Equal(strings.Join([]string{
			"Name:\t\t\tpython",
			"Namespace:\t\t" + ns,
			"Created:\t\t10 minutes ago",
			"Labels:\t\t\t<none>",
			"Annotations:\t\t<none>",
			"Image Repository:\t<none>",
			"Image Lookup:\t\tlocal=false",
			"Unique Images:\t\t1",
			"Tags:\t\t\t1",
			"",
			"3.5",
			"  tagged from " + src,
			"    will use insecure HTTPS or HTTP connections",
			"",
			"  * " + ref35,
			"      10 minutes ago",
			"",
		}, "\n")))

		By("adding a tag that points to an existing tag: oc tag <image-name:tag1> <image-name:tag2>")
		Expect(ok(ns, "tag", "python:3.5", "python:latest")).To(Equal("Tag python:latest set to python@" + py35.String() + ".\n"))
		Eventually(currentImage(ns, "python", "latest")).Should(Equal(py35.String()))
		settled(ns, "python")
		Expect(ok(ns, "describe", "is", "python")).To(HaveSuffix(strings.Join([]string{
			"Unique Images:\t\t1",
			"Tags:\t\t\t2",
			"",
			"latest",
			"  tagged from python@" + py35.String(),
			"",
			"  * " + ref35,
			"      10 minutes ago",
			"",
			"3.5",
			"  tagged from " + src,
			"    will use insecure HTTPS or HTTP connections",
			"",
			"  * " + ref35,
			"      10 minutes ago",
			"",
		}, "\n")))

		By("getting all information about an image stream tag: oc describe istag/<image-stream>:<tag-name>")
		Expect(ok(ns, "describe", "istag/python:latest")).To(Equal(strings.Join([]string{
			"Image Name:\t" + py35.String(),
			"Docker Image:\t" + ref35,
			"Name:\t\t" + py35.String(),
			"Created:\t10 minutes ago",
			"Image Size:\t" + humanSize(imageSize(ns, py35.String())) + " in 2 layers",
			"Layers:\t\t" + layerLines(ns, py35.String()),
			"Image Created:\t" + ago(time.Now().Add(clockOffset), time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)),
			"Author:\t\t<none>",
			"Arch:\t\tamd64",
			"Entrypoint:\tcontainer-entrypoint",
			"Command:\t/bin/sh -c $STI_SCRIPTS_PATH/usage",
			"Working Dir:\t/opt/app-root/src",
			"User:\t\t1001",
			"Exposes Ports:\t8080/tcp",
			"Docker Labels:\tbuild-date=20170801",
			"Environment:\tPATH=/usr/bin",
			"\t\tHOME=/opt/app-root/src",
			"",
		}, "\n")))

		By("making a tracking tag: oc tag --alias")
		Expect(ok(ns, "tag", "python:3.5", "python:stable", "--alias")).To(Equal("Tag python:stable set up to track python:3.5.\n"))
		Eventually(currentImage(ns, "python", "stable")).Should(Equal(py35.String()))
		settled(ns, "python")
		Expect(ok(ns, "describe", "is", "python")).To(ContainSubstring("Tags:\t\t\t3\n\nlatest\n  tagged from python@" + py35.String() +
			"\n\n  * " + ref35 + "\n      10 minutes ago\n\n3.5 (stable)\n  tagged from " + src + "\n"))
		Expect(fails(ns, "tag", "python:3.5", "ruby:stable", "--alias")).To(Equal("error: cannot set alias across different Image Streams\n"))

		By("configuring periodic importing: oc tag <repository/image> <image-name:tag> --scheduled")
		py36, err := reg.PushImage("library/python", "3.6.0", testregistry.ImageSpec{Seed: 36})
		Expect(err).NotTo(HaveOccurred())
		src36 := reg.Host() + "/library/python:3.6.0"
		Expect(ok(ns, "tag", src36, "python:3.6", "--scheduled", "--insecure")).To(Equal("Tag python:3.6 set to import " + src36 + " periodically.\n"))
		Eventually(currentImage(ns, "python", "3.6")).Should(Equal(py36.String()))
		settled(ns, "python")
		Expect(ok(ns, "describe", "is", "python")).To(ContainSubstring("3.6\n  updates automatically from registry " + src36 + "\n"))

		By("updating a tag to reflect another tag: oc tag <image-name:tag> <image-name:latest>")
		Expect(ok(ns, "tag", "python:3.6", "python:latest")).To(Equal("Tag python:latest set to python@" + py36.String() + ".\n"))
		Eventually(currentImage(ns, "python", "latest")).Should(Equal(py36.String()))

		By("removing the periodic check: the same command without --scheduled")
		Expect(ok(ns, "tag", src36, "python:3.6", "--insecure")).To(Equal("Tag python:3.6 set to " + src36 + ".\n"))
		Expect(specTag(stream(ns, "python"), "3.6").ImportPolicy.Scheduled).To(BeFalse())

		By("removing a tag: oc tag -d <image-name:tag>")
		Expect(ok(ns, "tag", "-d", "python:3.6")).To(Equal(fmt.Sprintf("Deleted tag %s/python:3.6.\n", ns)))
		Eventually(func() bool {
			is := stream(ns, "python")
			return specTag(is, "3.6") == nil && imagestream.StatusTag(&is.Status, "3.6") == nil
		}).Should(BeTrue())
		Expect(fails(ns, "tag", "-d", "python:3.6")).To(Equal(`error: imagestreamtags.image.imagestreams.io "python:3.6" not found` + "\n"))

		By("refusing what oc refuses")
		Expect(fails(ns, "tag", src, "python:invalid-tagname-test#123", "--insecure")).To(Equal(
			`error: invalid tag "invalid-tagname-test#123" format, tags must start with an alphanumeric character followed by alphanumeric, '.' or '-' characters, and have a maximum of 128 characters` + "\n"))
		Expect(fails(ns, "tag", src, "python:x", "--import-mode=NoPreserveOriginal")).To(Equal("error: valid ImportMode values are Legacy or PreserveOriginal\n"))
		Expect(fails(ns, "tag", "python:nothing", "python:x")).To(Equal(`error: "python:nothing" is not currently pointing to an image, cannot use it as the source of a tag` + "\n"))
	})

	It("imports images and manifest lists, and rolls a tag back", func() {
		ns := newNamespace()
		busybox, err := reg.PushImage("library/busybox", "latest", testregistry.ImageSpec{Cmd: []string{"sh"}})
		Expect(err).NotTo(HaveOccurred())
		from := reg.Host() + "/library/busybox:latest"

		By("refusing to create a stream without --confirm")
		Expect(fails(ns, "import", "busybox", "--from="+from, "--insecure")).To(Equal(`error: no image stream named "busybox" exists, pass --confirm to create and import` + "\n"))
		Expect(fails(ns, "import-image", "busybox", "--from="+from, "--import-mode=legacy")).To(Equal("error: valid ImportMode values are Legacy or PreserveOriginal\n"))

		By("importing with --confirm: oc import-image <imagestreamtag> --from=<image> --confirm")
		out := ok(ns, "import-image", "busybox", "--from="+from, "--confirm", "--insecure")
		ref := reg.Host() + "/library/busybox@" + busybox.String()
		Expect(out).To(HavePrefix("imagestream.image.imagestreams.io/busybox imported\n\nName:\t\t\tbusybox\nNamespace:\t\t" + ns + "\nCreated:\t\t10 minutes ago\n"))
		Expect(out).To(ContainSubstring("latest\n  tagged from " + from + "\n    will use insecure HTTPS or HTTP connections\n\n  * " + ref + "\n"))
		Expect(out).To(ContainSubstring("Image Name:\tbusybox:latest\nDocker Image:\t" + ref + "\nName:\t\t" + busybox.String() + "\n"))
		Expect(out).To(ContainSubstring("Command:\tsh\n"))
		Eventually(currentImage(ns, "busybox", "latest")).Should(Equal(busybox.String()))

		By("importing all images of a manifest list: --import-mode=PreserveOriginal")
		index, children, err := reg.PushIndex("library/busybox", "multi", testregistry.OCI)
		Expect(err).NotTo(HaveOccurred())
		multi := reg.Host() + "/library/busybox:multi"
		out = ok(ns, "import", "busybox:multi", "--from="+multi, "--import-mode=PreserveOriginal", "--reference-policy=local", "--confirm", "--insecure")
		Expect(out).To(ContainSubstring("Arch:\t\t<none>\nManifests:\tlinux/amd64\t" + children["linux/amd64"].String() +
			"\n\t\tlinux/arm64\t" + children["linux/arm64"].String() + "\n\t\tlinux/ppc64le\t" + children["linux/ppc64le"].String() + "\n"))
		Eventually(currentImage(ns, "busybox", "multi")).Should(Equal(index.String()))
		Expect(ok(ns, "get", "istag", "busybox:multi", "-ojsonpath={range .image.dockerImageManifests[*]}{.os}/{.architecture}{'\\n'}{end}")).
			To(Equal("linux/amd64\nlinux/arm64\nlinux/ppc64le\n"))

		By("listing tags")
		Expect(ok(ns, "get", "istag")).To(MatchRegexp(`^NAME\s+IMAGE REFERENCE\s+UPDATED\nbusybox:latest\s+` + regexpQuote(ref) + `\s+10 minutes ago\nbusybox:multi\s+`))
		Expect(ok(ns, "get", "is", "-o", "name")).To(Equal("imagestream.image.imagestreams.io/busybox\n"))
		Expect(ok(ns, "get", "istag", "busybox:latest", "-o", "name")).To(Equal("imagestreamtag.image.imagestreams.io/busybox:latest\n"))

		By("re-importing a tag whose upstream image moved: oc import-image <stream:tag>")
		moved, err := reg.MoveTag("library/busybox", "latest")
		Expect(err).NotTo(HaveOccurred())
		out = ok(ns, "import", "busybox")
		Expect(out).To(HavePrefix("imagestream.image.imagestreams.io/busybox imported\n"))
		Eventually(currentImage(ns, "busybox", "latest")).Should(Equal(moved.String()))

		By("showing the history of the tag")
		Expect(ok(ns, "history", "busybox:latest")).To(MatchRegexp(`^REVISION\s+CREATED\s+IMAGE\s+PULL SPEC\n0 \(current\)\s+10 minutes ago\s+` +
			regexpQuote(moved.String()) + `\s+\S+\n1\s+10 minutes ago\s+` + regexpQuote(busybox.String()) + `\s+` + regexpQuote(ref) + "\n$"))

		By("rolling back: oc tag <stream>@<older digest> <stream>:<tag>, or rollback")
		Expect(ok(ns, "rollback", "busybox:latest")).To(Equal("Tag busybox:latest set to busybox@" + busybox.String() + ".\n"))
		Eventually(currentImage(ns, "busybox", "latest")).Should(Equal(busybox.String()))
		h := imagestream.StatusTag(&stream(ns, "busybox").Status, "latest")
		Expect(h.Items).To(HaveLen(3), "the old image is the new top; the history keeps the images in between")
		Expect(h.Items[1].Image).To(Equal(moved.String()))
		Expect(ok(ns, "tag", "busybox@"+moved.String(), "busybox:latest")).To(Equal("Tag busybox:latest set to busybox@" + moved.String() + ".\n"))
		Eventually(currentImage(ns, "busybox", "latest")).Should(Equal(moved.String()))
		Expect(ok(ns, "rollback", "busybox:latest", "--to-image="+strings.TrimPrefix(busybox.String(), "sha256:")[:12])).
			To(Equal("Tag busybox:latest set to busybox@" + busybox.String() + ".\n"))
		Eventually(currentImage(ns, "busybox", "latest")).Should(Equal(busybox.String()))

		By("describing an image of the stream by ID")
		Expect(ok(ns, "describe", "isimage", "busybox@"+busybox.String())).To(HavePrefix("Image Name:\t" + busybox.String() + "\nDocker Image:\t" + ref + "\n"))
	})

	It("imports a whole repository with --all and shows a dry run", func() {
		ns := newNamespace()
		for _, tag := range []string{"5.7", "8.0", "latest"} {
			_, err := reg.PushImage("library/mysql", tag, testregistry.ImageSpec{Seed: int64(len(tag))})
			Expect(err).NotTo(HaveOccurred())
		}
		repo := reg.Host() + "/library/mysql"
		Expect(fails(ns, "import", "mysql:8.0", "--from="+repo, "--all", "--confirm")).To(Equal(`error: cannot specify a tag "8.0" as well as --all` + "\n"))

		out := ok(ns, "import", "mysql", "--from="+repo, "--all", "--confirm", "--insecure")
		Expect(out).To(HavePrefix("imagestream.image.imagestreams.io/mysql imported\n"))
		for _, tag := range []string{"latest", "8.0", "5.7"} {
			Expect(out).To(ContainSubstring("Image Name:\tmysql:" + tag + "\n"))
		}
		Expect(streamTags(stream(ns, "mysql"))).To(Equal([]string{"latest", "8.0", "5.7"}))

		out = ok(ns, "import", "preview", "--from="+repo+":8.0", "--confirm", "--dry-run", "--insecure")
		Expect(out).To(HavePrefix("imagestream.image.imagestreams.io/preview imported (dry run)\n\nImage Name:\tpreview:latest\nDocker Image:\t" + repo + "@sha256:"))
		Expect(fails(ns, "describe", "is", "preview")).To(Equal(`error: imagestreams.image.imagestreams.io "preview" not found` + "\n"))
	})

	It("sets image change triggers and image lookup", func() {
		ns := newNamespace()
		labels := map[string]string{"app": "web"}
		deploy := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "busybox"}, {Name: "sidecar", Image: "busybox"}}},
				},
			},
		}
		Expect(k8sClient.Create(ctx, deploy)).To(Succeed())
		annotation := func() string {
			d := &appsv1.Deployment{}
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(deploy), d)).To(Succeed())
			return d.Annotations[imagev1.TriggersAnnotation]
		}

		Expect(ok(ns, "set", "triggers", "deployment/web", "--from-image=python:latest", "-c", "web")).To(Equal("deployment.apps/web triggers updated\n"))
		Expect(annotation()).To(Equal(`[{"from":{"kind":"ImageStreamTag","name":"python:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\"web\")].image"}]`))
		Expect(ok(ns, "set", "triggers", "deploy/web", "--from-image=python:3.12", "-c", "web", "--auto=false")).To(Equal("deployment.apps/web triggers updated\n"))
		Expect(annotation()).To(Equal(`[{"from":{"kind":"ImageStreamTag","name":"python:3.12"},"fieldPath":"spec.template.spec.containers[?(@.name==\"web\")].image","paused":true}]`))
		Expect(fails(ns, "set", "triggers", "deployment/web", "--from-image=python:latest", "-c", "db")).To(Equal(`error: no such container: "db" (the workload has web, sidecar)` + "\n"))
		Expect(ok(ns, "set", "triggers", "deployment/web", "--remove-all")).To(Equal("deployment.apps/web triggers updated\n"))
		Expect(annotation()).To(BeEmpty())

		Expect(ok(ns, "tag", "--reference", "docker.io/library/python:3.12", "python:3.12")).To(Equal("Tag python:3.12 set to docker.io/library/python:3.12.\n"))
		Expect(ok(ns, "set", "image-lookup", "python")).To(Equal("imagestream.image.imagestreams.io/python image lookup updated\n"))
		Expect(stream(ns, "python").Spec.LookupPolicy.Local).To(BeTrue())
		Expect(ok(ns, "describe", "is", "python")).To(ContainSubstring("Image Lookup:\t\tlocal=true\n"))
		Eventually(func() string { return ok(ns, "describe", "is", "python") }).Should(ContainSubstring("3.12\n  reference to registry docker.io/library/python:3.12\n\n  * docker.io/library/python:3.12\n"))
	})

	It("prunes tag histories with oc's keep rules, dry run first", func() {
		ns := newNamespace()
		is := &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"}}
		Expect(k8sClient.Create(ctx, is)).To(Succeed())
		var items []imagev1.TagEvent
		for rev := range 5 {
			digest := fmt.Sprintf("sha256:%064d", rev)
			items = append(items, imagev1.TagEvent{
				Created: metav1.NewTime(time.Now().Add(-time.Duration(rev+1) * time.Hour).Truncate(time.Second)), Image: digest,
				DockerImageReference: "quay.io/org/app@" + digest, Generation: 1,
			})
		}
		Eventually(func() error { // the operator writes the stream's status too
			is := stream(ns, "app")
			is.Status.Tags = []imagev1.NamedTagEventList{{Tag: "latest", Items: items}}
			return k8sClient.Status().Update(ctx, is)
		}).Should(Succeed())
		used := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "uses-rev-4"},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "x"}},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "x", Image: items[4].DockerImageReference}}},
				},
			},
		}
		Expect(k8sClient.Create(ctx, used)).To(Succeed())

		out := ok(ns, "prune", "--keep-tag-revisions=2", "--keep-younger-than=1m")
		Expect(out).To(MatchRegexp(`^Dry run enabled - no modifications will be made. Add --confirm to remove images\n\n` +
			`IMAGE STREAM TAG\s+REVISION\s+IMAGE\s+CREATED\n` +
			regexpQuote(ns+"/app:latest") + `\s+2\s+` + items[2].Image + `\s+3 hours ago\n` +
			regexpQuote(ns+"/app:latest") + `\s+3\s+` + items[3].Image + `\s+4 hours ago\n\n` +
			`2 history items of 1 image streams would be removed.\n$`))
		Expect(imagestream.StatusTag(&stream(ns, "app").Status, "latest").Items).To(HaveLen(5), "a dry run changes nothing")

		Expect(ok(ns, "prune", "--keep-tag-revisions=2", "--keep-younger-than=1m", "--confirm")).To(HaveSuffix("\n2 history items of 1 image streams removed.\n"))
		var left []string
		for _, e := range imagestream.StatusTag(&stream(ns, "app").Status, "latest").Items {
			left = append(left, e.Image)
		}
		Expect(left).To(Equal([]string{items[0].Image, items[1].Image, items[4].Image}))
		Expect(ok(ns, "prune", "--keep-tag-revisions=2", "--keep-younger-than=1m")).To(HaveSuffix("No history items to prune.\n"))
		Expect(fails(ns, "prune", "--keep-tag-revisions=-1")).To(Equal("error: --keep-tag-revisions must be greater than or equal to 0\n"))
	})

	It("reports a failed import the way oc does", func() {
		ns := newNamespace()
		missing := reg.Host() + "/library/nothing:1.0"
		r := run(ns, "import", "nothing:1.0", "--from="+missing, "--confirm", "--insecure")
		Expect(r.err).To(MatchError("imported completed with errors"))
		Expect(r.out).To(HavePrefix("imagestream.image.imagestreams.io/nothing imported with errors\n"))
		Expect(r.errOut).To(MatchRegexp(`^error: tag 1.0 failed: .*not found`))
		Eventually(func() string { return ok(ns, "describe", "is", "nothing") }).Should(
			MatchRegexp(`\n1\.0\n  tagged from ` + regexpQuote(missing) + `\n    will use insecure HTTPS or HTTP connections\n\n  ! error: Import failed \(NotFound\): .+\n      10 minutes ago\n$`))
	})
})

// imageSize is the size the operator recorded for an image.
func imageSize(ns, digest string) int64 {
	GinkgoHelper()
	img := imageOf(ns, digest)
	return img.DockerImageMetadata.Size
}

// layerLines prints the layers of an image the way describe does.
func layerLines(ns, digest string) string {
	GinkgoHelper()
	var lines []string
	for _, l := range imageOf(ns, digest).DockerImageLayers {
		lines = append(lines, humanSize(l.LayerSize)+"\t"+l.Name)
	}
	return strings.Join(lines, "\n\t\t")
}

func imageOf(ns, digest string) *imagev1.Image {
	GinkgoHelper()
	var img *imagev1.Image
	Eventually(func() error {
		var err error
		img, err = getImage(ctx, k8sClient, ns, digest)
		if err == nil && img == nil {
			return fmt.Errorf("image %s not stored yet", digest)
		}
		return err
	}).Should(Succeed())
	return img
}

// regexpQuote quotes s for a regular expression.
func regexpQuote(s string) string { return regexp.QuoteMeta(s) }
