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

package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// listKey identifies a Legacy choice from a manifest list: the list digest and the
// effective preferences. PreserveOriginal never chooses, so the mode is always Legacy.
type listKey struct {
	list     v1.Hash
	os, arch string
}

// importRun is one import: the request, validated, and its session.
type importRun struct {
	importer *Importer
	target   target
	session  *session
	known    func(digest string) bool
	prefer   Platform // effective prefer-os and prefer-arch
	preserve bool     // PreserveOriginal mode
	// reference is the tag or digest string; ref the image reference shown in messages.
	reference, ref string
	digest         v1.Hash // requested digest, when importing by digest
}

// run resolves the reference with HEAD and imports what is not known yet.
func (r *importRun) run(ctx context.Context) (*Result, error) {
	head, err := r.session.headManifest(ctx, r.reference)
	var terr *transport.Error
	switch {
	case errors.As(err, &terr) && terr.StatusCode == http.StatusMethodNotAllowed:
		head = &manifestHead{size: -1} // no HEAD support: resolve with GET below
	case err != nil:
		return nil, err
	}
	if r.digest.Algorithm != "" {
		if head.digest.Algorithm != "" && head.digest != r.digest {
			return nil, integrityError(r.ref, "manifest", r.digest.String(), head.digest.String())
		}
		head.digest = r.digest
	}
	var m *manifest
	if head.digest.Algorithm == "" { // the registry did not say which digest the tag points to
		if m, err = r.fetchManifest(ctx, r.reference, v1.Hash{}, head.size); err != nil {
			return nil, err
		}
		head.digest, head.mediaType = m.digest, m.mediaType
	}
	if head.mediaType.IsIndex() || (!head.mediaType.IsImage() && r.chosenBefore(head.digest)) {
		return r.importList(ctx, head.digest, head.size, m)
	}
	if r.known(head.digest.String()) {
		return r.result(head.digest), nil
	}
	if m == nil {
		if m, err = r.fetchManifest(ctx, head.digest.String(), head.digest, head.size); err != nil {
			return nil, err
		}
	}
	if m.mediaType.IsIndex() {
		return r.importList(ctx, head.digest, head.size, m)
	}
	img, platforms, err := r.imageFromManifest(ctx, m)
	if err != nil {
		return nil, err
	}
	res := r.result(head.digest)
	res.Image, res.Platforms = img, platforms
	return res, nil
}

// importList imports a manifest list: in Legacy mode the chosen child, in
// PreserveOriginal mode the list and its children. m is the list when already fetched;
// size is its size when known, -1 otherwise.
func (r *importRun) importList(ctx context.Context, digest v1.Hash, size int64, m *manifest) (*Result, error) {
	key := r.listKey(digest)
	if r.preserve {
		if r.known(digest.String()) {
			return r.result(digest), nil
		}
	} else if child, ok := r.importer.lists.get(key); ok {
		return r.importChild(ctx, child, nil)
	}
	if m == nil {
		var err error
		if m, err = r.fetchManifest(ctx, digest.String(), digest, size); err != nil {
			return nil, err
		}
	}
	index, err := v1.ParseIndexManifest(bytes.NewReader(m.raw))
	if err != nil {
		return nil, fmt.Errorf("parsing manifest list %s: %w", digest, err)
	}
	if len(index.Manifests) == 0 {
		return nil, &Error{Reason: ReasonInternalError, Message: r.ref + ": no manifests in manifest list"}
	}
	platforms := listPlatforms(index)
	if !r.preserve {
		child := chooseManifest(index.Manifests, r.prefer)
		r.importer.lists.add(key, child)
		return r.importChild(ctx, child, platforms)
	}
	res := r.result(digest)
	res.Image, res.Platforms = listImageData(res.Reference, digest, m.mediaType, index), platforms
	for _, child := range index.Manifests {
		if r.known(child.Digest.String()) {
			continue
		}
		img, _, err := r.fetchImage(ctx, child)
		if err != nil {
			return nil, err
		}
		res.Manifests = append(res.Manifests, *img)
	}
	return res, nil
}

// importChild imports the child a Legacy import chose; platforms are those of the list
// when it was fetched.
func (r *importRun) importChild(ctx context.Context, child v1.Descriptor, platforms []string) (*Result, error) {
	res := r.result(child.Digest)
	res.Platforms = platforms
	if r.known(child.Digest.String()) {
		return res, nil
	}
	img, imagePlatforms, err := r.fetchImage(ctx, child)
	if err != nil {
		return nil, err
	}
	res.Image = img
	if res.Platforms == nil {
		res.Platforms = imagePlatforms
	}
	return res, nil
}

// fetchImage fetches the single-platform image a list entry points to.
func (r *importRun) fetchImage(ctx context.Context, desc v1.Descriptor) (*imagev1.ImageData, []string, error) {
	m, err := r.fetchManifest(ctx, desc.Digest.String(), desc.Digest, desc.Size)
	if err != nil {
		return nil, nil, err
	}
	if m.mediaType.IsIndex() {
		return nil, nil, badRequest("%s: the manifest list entry %s is itself a manifest list, which is not supported",
			r.ref, desc.Digest)
	}
	return r.imageFromManifest(ctx, m)
}

// imageFromManifest fetches the config of an image manifest and builds its ImageData and
// platform.
func (r *importRun) imageFromManifest(ctx context.Context, m *manifest) (*imagev1.ImageData, []string, error) {
	switch {
	case m.mediaType.IsSchema1():
		return nil, nil, badRequest("%s: Docker schema 1 manifests (%s) are not supported", r.ref, m.digest)
	case !m.mediaType.IsImage():
		return nil, nil, badRequest("%s: unsupported manifest media type %q of %s", r.ref, m.mediaType, m.digest)
	}
	parsed, err := v1.ParseManifest(bytes.NewReader(m.raw))
	if err != nil {
		return nil, nil, fmt.Errorf("parsing manifest %s: %w", m.digest, err)
	}
	raw, err := r.session.fetchBlob(ctx, r.ref, "config", parsed.Config, r.importer.opts.MaxConfigBytes)
	if err != nil {
		return nil, nil, err
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("parsing image config %s: %w", parsed.Config.Digest, err)
	}
	reference := r.target.display + "@" + m.digest.String()
	img := imageData(reference, m.mediaType, parsed.Config.Digest, parsed, cf)
	var platforms []string
	if p := platformString(cf.OS, cf.Architecture, cf.Variant); p != "" {
		platforms = []string{p}
	}
	return img, platforms, nil
}

// fetchManifest fetches a manifest within the manifest size limit.
func (r *importRun) fetchManifest(ctx context.Context, reference string, want v1.Hash, size int64) (*manifest, error) {
	return r.session.fetchManifest(ctx, r.ref, reference, want, size, r.importer.opts.MaxManifestBytes)
}

// chosenBefore reports whether a Legacy import already chose from the list digest with
// the same preferences: a registry that does not say a list is a list on HEAD still
// gets the one-HEAD re-check.
func (r *importRun) chosenBefore(digest v1.Hash) bool {
	if r.preserve {
		return false
	}
	_, ok := r.importer.lists.get(r.listKey(digest))
	return ok
}

// listKey returns the list-choice cache key of a list digest for this run.
func (r *importRun) listKey(list v1.Hash) listKey {
	return listKey{list: list, os: r.prefer.OS, arch: r.prefer.Architecture}
}

// result returns a Result pointing at digest, with nothing fetched.
func (r *importRun) result(digest v1.Hash) *Result {
	return &Result{Digest: digest.String(), Reference: r.target.display + "@" + digest.String()}
}
