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
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/reference"
	"github.com/imagestreams/imagestream-operator/internal/registry"
)

// importRun imports the tags of one stream during one reconcile. It reads the namespace's
// pull secrets at most once and collects the image metadata it fetched, keyed by digest.
type importRun struct {
	ctx      context.Context
	reader   imageReader
	importer *registry.Importer
	stream   *imagev1.ImageStream
	keychain authn.Keychain
	fetched  map[string]imagev1.ImageData
}

// imageReader is what an import needs from the cluster: the namespace's pull secrets and
// whether an Image already exists.
type imageReader interface {
	keychain(ctx context.Context, namespace string) (authn.Keychain, error)
	imageExists(ctx context.Context, namespace, digest string) bool
	readImage(ctx context.Context, namespace, digest string) (*imagev1.Image, error)
}

// importSpec is one image to import: where from and how.
type importSpec struct {
	from        string
	policy      imagev1.TagImportPolicy
	annotations map[string]string
}

// importTag imports one DockerImage spec tag of the stream.
func (run *importRun) importTag(tag imagev1.TagReference) (*registry.Result, error) {
	return run.importImage(importSpec{from: tag.From.Name, policy: tag.ImportPolicy, annotations: tag.Annotations})
}

// importImage imports one pull spec with the stream's secrets and insecure annotation, and
// counts it in imagestream_imports_total.
func (run *importRun) importImage(spec importSpec) (_ *registry.Result, err error) {
	defer observeImport(time.Now(), &err)
	ref, err := reference.Parse(spec.from)
	if err != nil {
		return nil, &registry.Error{Reason: "BadRequest", Message: fmt.Sprintf("invalid from.name %q: %v", spec.from, err)}
	}
	ref = ref.DockerClientDefaults()
	if run.keychain == nil {
		if run.keychain, err = run.reader.keychain(run.ctx, run.stream.Namespace); err != nil {
			return nil, err
		}
	}
	result, err := run.importer.Import(run.ctx, registry.Request{
		Registry:   ref.Registry,
		Repository: ref.RepositoryName(),
		Tag:        ref.Tag,
		Digest:     ref.ID,
		Insecure:   spec.policy.Insecure || insecureRepository(run.stream),
		Mode:       spec.policy.ImportMode,
		PreferArch: firstAnnotation(spec.annotations, imagev1.PreferArchAnnotation, imagev1.OpenShiftPreferArchAnnotation),
		PreferOS:   firstAnnotation(spec.annotations, imagev1.PreferOSAnnotation, imagev1.OpenShiftPreferOSAnnotation),
		Keychain:   run.keychain,
		Known: func(digest string) bool {
			return run.reader.imageExists(run.ctx, run.stream.Namespace, digest)
		},
	})
	if err != nil {
		return nil, err
	}
	if run.fetched == nil {
		run.fetched = map[string]imagev1.ImageData{}
	}
	if result.Image != nil {
		run.fetched[result.Digest] = *result.Image
	}
	for _, child := range result.Manifests {
		run.fetched[digestOf(child.DockerImageReference)] = child
	}
	return result, nil
}

// importRepository lists the tags of repository and imports at most limit of them (<= 0:
// all) in OpenShift's priority order. It returns the outcome of each import and the tags
// left out by the limit; an error means the repository itself could not be read.
func (run *importRun) importRepository(repository string, policy imagev1.TagImportPolicy, limit int) ([]taggedImport, []string, error) {
	ref, err := reference.Parse(repository)
	if err == nil && (ref.Tag != "" || ref.ID != "") {
		err = errors.New("you must specify an image repository, not a tag or ID")
	}
	if err != nil {
		return nil, nil, &registry.Error{Reason: registry.ReasonBadRequest, Message: fmt.Sprintf("invalid repository %q: %v", repository, err)}
	}
	ref = ref.DockerClientDefaults()
	ref.Tag = ""
	if run.keychain == nil {
		if run.keychain, err = run.reader.keychain(run.ctx, run.stream.Namespace); err != nil {
			return nil, nil, err
		}
	}
	tags, err := run.importer.ListTags(run.ctx, ref.Registry, ref.RepositoryName(), policy.Insecure || insecureRepository(run.stream), run.keychain)
	if err != nil {
		return nil, nil, err
	}
	tags = imagestream.PrioritizeTags(tags)
	var additional []string
	if limit > 0 && len(tags) > limit {
		tags, additional = tags[:limit], tags[limit:]
	}
	imported := make([]taggedImport, 0, len(tags))
	for _, tag := range tags {
		from := ref
		from.Tag = tag
		result, err := run.importImage(importSpec{from: from.Exact(), policy: policy})
		imported = append(imported, taggedImport{tag: tag, from: from.Exact(), policy: policy, result: result, err: err})
	}
	return imported, additional, nil
}

// copyImage makes the Image of digest in namespace, and of its sub-manifests, available to
// this run's stream: a copy across namespaces creates them in the stream's namespace.
func (run *importRun) copyImage(namespace, digest string) error {
	if run.reader.imageExists(run.ctx, run.stream.Namespace, digest) {
		return nil
	}
	img, err := run.reader.readImage(run.ctx, namespace, digest)
	if err != nil {
		return client.IgnoreNotFound(err)
	}
	if run.fetched == nil {
		run.fetched = map[string]imagev1.ImageData{}
	}
	run.fetched[digest] = img.ImageData
	for _, m := range img.DockerImageManifests {
		if err := run.copyImage(namespace, m.Digest); err != nil {
			return err
		}
	}
	return nil
}

// insecureRepository reports whether the stream asks for insecure imports of all its tags.
func insecureRepository(is *imagev1.ImageStream) bool {
	return is.Annotations[imagev1.InsecureRepositoryAnnotation] == "true" ||
		is.Annotations[imagev1.OpenShiftInsecureRepositoryAnnotation] == "true"
}

// firstAnnotation returns the value of the first of keys present in annotations.
func firstAnnotation(annotations map[string]string, keys ...string) string {
	for _, k := range keys {
		if v, ok := annotations[k]; ok {
			return v
		}
	}
	return ""
}

// digestOf returns the digest of a digest pull spec (`repo@sha256:...`).
func digestOf(pullSpec string) string {
	if i := strings.LastIndex(pullSpec, "@"); i >= 0 {
		return pullSpec[i+1:]
	}
	return ""
}
