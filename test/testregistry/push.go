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

package testregistry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// MoveTagLabel is the config label carrying the generation of images pushed
// by MoveTag.
const MoveTagLabel = "io.imagestreams.testregistry/generation"

// pushTimeout bounds each helper call.
const pushTimeout = 2 * time.Minute

// PushImage pushes the image described by spec as repo:tag and returns its
// manifest digest.
func (r *Registry) PushImage(repo, tag string, spec ImageSpec) (v1.Hash, error) {
	img, err := buildImage(repo, tag, spec)
	if err != nil {
		return v1.Hash{}, err
	}
	return r.write(repo, tag, img)
}

// PushIndex pushes a multi-platform index as repo:tag: an OCI image index
// with OCI children for OCI, a Docker manifest list with Docker schema 2
// children otherwise. Without platforms, DefaultPlatforms are used. It
// returns the index digest and the child digests keyed by Platform.String().
func (r *Registry) PushIndex(repo, tag string, mediaType MediaType,
	platforms ...Platform) (v1.Hash, map[string]v1.Hash, error) {
	indexType := types.DockerManifestList
	if mediaType == OCI {
		indexType = types.OCIImageIndex
	}
	if len(platforms) == 0 {
		platforms = DefaultPlatforms()
	}
	children := make(map[string]v1.Hash, len(platforms))
	adds := make([]mutate.IndexAddendum, 0, len(platforms))
	for _, p := range platforms {
		p = p.withDefaults()
		if _, dup := children[p.String()]; dup {
			return v1.Hash{}, nil, fmt.Errorf("duplicate platform %s", p)
		}
		img, err := buildImage(repo, tag, ImageSpec{
			MediaType: mediaType, OS: p.OS, Architecture: p.Architecture, Variant: p.Variant,
			Cmd: []string{"/bin/sh"}, Labels: map[string]string{"platform": p.String()},
		})
		if err != nil {
			return v1.Hash{}, nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return v1.Hash{}, nil, fmt.Errorf("compute digest of %s child: %w", p, err)
		}
		children[p.String()] = d
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant},
		}})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, indexType), adds...)
	ref, err := r.tagRef(repo, tag)
	if err != nil {
		return v1.Hash{}, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), pushTimeout)
	defer cancel()
	if err := remote.WriteIndex(ref, idx, r.internalOptions(ctx)...); err != nil {
		return v1.Hash{}, nil, fmt.Errorf("push index %s: %w", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		return v1.Hash{}, nil, fmt.Errorf("compute index digest: %w", err)
	}
	return d, children, nil
}

// MoveTag pushes a new single-platform image to repo:tag, different from the
// one it currently points to, simulating an upstream tag move, and returns
// the new digest. The new image keeps the OCI or Docker format of the current
// manifest (Docker when the tag does not exist) and carries a MoveTagLabel.
func (r *Registry) MoveTag(repo, tag string) (v1.Hash, error) {
	current, err := r.head(repo, tag)
	var terr *transport.Error
	if err != nil && (!errors.As(err, &terr) || terr.StatusCode != http.StatusNotFound) {
		return v1.Hash{}, err
	}
	spec := ImageSpec{MediaType: DockerSchema2}
	if current != nil && (current.MediaType == types.OCIManifestSchema1 || current.MediaType == types.OCIImageIndex) {
		spec.MediaType = OCI
	}
	for {
		gen := r.moves.Add(1)
		spec.Seed = -gen
		spec.Labels = map[string]string{MoveTagLabel: strconv.FormatInt(gen, 10)}
		img, err := buildImage(repo, tag, spec)
		if err != nil {
			return v1.Hash{}, err
		}
		d, err := img.Digest()
		if err != nil {
			return v1.Hash{}, fmt.Errorf("compute image digest: %w", err)
		}
		if current != nil && d == current.Digest {
			continue
		}
		return r.write(repo, tag, img)
	}
}

// Digest resolves repo:tag to its manifest digest with a HEAD request.
func (r *Registry) Digest(repo, tag string) (v1.Hash, error) {
	desc, err := r.head(repo, tag)
	if err != nil {
		return v1.Hash{}, err
	}
	return desc.Digest, nil
}

func (r *Registry) head(repo, tag string) (*v1.Descriptor, error) {
	ref, err := r.tagRef(repo, tag)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), pushTimeout)
	defer cancel()
	desc, err := remote.Head(ref, r.internalOptions(ctx)...)
	if err != nil {
		return nil, fmt.Errorf("head %s: %w", ref, err)
	}
	return desc, nil
}

func (r *Registry) write(repo, tag string, img v1.Image) (v1.Hash, error) {
	ref, err := r.tagRef(repo, tag)
	if err != nil {
		return v1.Hash{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), pushTimeout)
	defer cancel()
	if err := remote.Write(ref, img, r.internalOptions(ctx)...); err != nil {
		return v1.Hash{}, fmt.Errorf("push image %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("compute image digest: %w", err)
	}
	return d, nil
}

func (r *Registry) tagRef(repo, tag string) (name.Tag, error) {
	t, err := name.NewTag(r.Reference(repo, tag))
	if err != nil {
		return name.Tag{}, fmt.Errorf("parse reference: %w", err)
	}
	return t, nil
}

// internalOptions are the remote options of the helpers: unrecorded requests
// with the registry credentials.
func (r *Registry) internalOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(internalTransport{base: r.transport}),
		remote.WithAuth(r.Authenticator()),
	}
}

// internalTransport marks requests with internalHeader.
type internalTransport struct{ base http.RoundTripper }

func (t internalTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(internalHeader, "1")
	return t.base.RoundTrip(req)
}
