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
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// manifestAccept lists the manifest formats the importer understands. Schema 1 is not
// offered, so registries convert such images or refuse them.
var manifestAccept = strings.Join([]string{
	string(types.OCIImageIndex),
	string(types.DockerManifestList),
	string(types.OCIManifestSchema1),
	string(types.DockerManifestSchema2),
}, ", ")

// manifestHead is what a HEAD request tells about a manifest. digest is zero when the
// registry did not send Docker-Content-Digest; size is -1 when unknown.
type manifestHead struct {
	digest    v1.Hash
	mediaType types.MediaType
	size      int64
}

// manifest is a fetched, verified manifest.
type manifest struct {
	raw       []byte
	digest    v1.Hash
	mediaType types.MediaType
}

// headManifest resolves a tag or digest with a HEAD request.
func (s *session) headManifest(ctx context.Context, reference string) (*manifestHead, error) {
	resp, err := s.do(ctx, http.MethodHead, "/manifests/"+reference, manifestAccept)
	if err != nil {
		return nil, err
	}
	_ = resp.Body.Close()
	head := &manifestHead{mediaType: headerMediaType(resp.Header.Get("Content-Type")), size: resp.ContentLength}
	if d := resp.Header.Get("Docker-Content-Digest"); d != "" {
		if head.digest, err = v1.NewHash(d); err != nil {
			return nil, fmt.Errorf("invalid Docker-Content-Digest %q: %w", d, err)
		}
	}
	return head, nil
}

// fetchManifest GETs a manifest by tag or digest, refusing more than limit bytes (or a
// known size over it). The content must hash to want when want is set, and to the
// Docker-Content-Digest header when there is one.
func (s *session) fetchManifest(ctx context.Context, ref, reference string, want v1.Hash,
	size, limit int64) (*manifest, error) {
	what := "manifest " + reference
	if size > limit {
		return nil, tooLargeError(ref, what, "manifest", size, limit)
	}
	resp, err := s.do(ctx, http.MethodGet, "/manifests/"+reference, manifestAccept)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := readLimited(resp.Body, resp.ContentLength, limit)
	var over *overLimitError
	if errors.As(err, &over) {
		return nil, tooLargeError(ref, what, "manifest", over.size, limit)
	} else if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if want.Algorithm == "" {
		if want, err = v1.NewHash(resp.Header.Get("Docker-Content-Digest")); err != nil {
			want = v1.Hash{Algorithm: "sha256"}
		}
	}
	got, err := digestOf(raw, want.Algorithm)
	if err != nil {
		return nil, err
	}
	if want.Hex != "" && got != want {
		return nil, integrityError(ref, "manifest", want.String(), got.String())
	}
	return &manifest{raw: raw, digest: got, mediaType: bodyMediaType(resp.Header.Get("Content-Type"), raw)}, nil
}

// fetchBlob GETs a blob, refusing more than limit bytes, and verifies its digest and size.
func (s *session) fetchBlob(ctx context.Context, ref, kind string, desc v1.Descriptor, limit int64) ([]byte, error) {
	what := kind + " " + desc.Digest.String()
	if desc.Size > limit {
		return nil, tooLargeError(ref, what, kind, desc.Size, limit)
	}
	resp, err := s.do(ctx, http.MethodGet, "/blobs/"+desc.Digest.String(), "")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := readLimited(resp.Body, resp.ContentLength, limit)
	var over *overLimitError
	if errors.As(err, &over) {
		return nil, tooLargeError(ref, what, kind, over.size, limit)
	} else if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	got, err := digestOf(raw, desc.Digest.Algorithm)
	if err != nil {
		return nil, err
	}
	if got != desc.Digest {
		return nil, integrityError(ref, kind, desc.Digest.String(), got.String())
	}
	if desc.Size > 0 && int64(len(raw)) != desc.Size {
		return nil, integrityError(ref, kind+" size", fmt.Sprint(desc.Size), fmt.Sprint(len(raw)))
	}
	return raw, nil
}

// overLimitError is returned by readLimited; size is -1 when the length was not declared.
type overLimitError struct{ size int64 }

func (e *overLimitError) Error() string {
	return fmt.Sprintf("content over the size limit (%d bytes)", e.size)
}

// readLimited reads r, refusing a declared length over limit without reading, and
// stopping after limit+1 bytes otherwise.
func readLimited(r io.Reader, declared, limit int64) ([]byte, error) {
	if declared > limit {
		return nil, &overLimitError{size: declared}
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &overLimitError{size: -1}
	}
	return b, nil
}

// digestOf hashes b with the named algorithm (sha256 or sha512).
func digestOf(b []byte, algorithm string) (v1.Hash, error) {
	h, err := v1.Hasher(algorithm)
	if err != nil {
		return v1.Hash{}, badRequest("unsupported digest algorithm %q", algorithm)
	}
	_, _ = h.Write(b)
	return v1.Hash{Algorithm: algorithm, Hex: hex.EncodeToString(h.Sum(nil))}, nil
}

// headerMediaType returns the media type of a Content-Type header, without parameters.
func headerMediaType(contentType string) types.MediaType {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return types.MediaType(strings.TrimSpace(contentType))
	}
	return types.MediaType(mt)
}

// bodyMediaType determines the media type of a manifest: its own mediaType field, else a
// manifest Content-Type, else its shape (OCI manifests and indexes may omit mediaType).
func bodyMediaType(contentType string, raw []byte) types.MediaType {
	var probe struct {
		SchemaVersion int             `json:"schemaVersion"`
		MediaType     types.MediaType `json:"mediaType"`
		Config        json.RawMessage `json:"config"`
		Manifests     json.RawMessage `json:"manifests"`
		FSLayers      json.RawMessage `json:"fsLayers"`
	}
	_ = json.NewDecoder(bytes.NewReader(raw)).Decode(&probe)
	header := headerMediaType(contentType)
	switch {
	case probe.MediaType != "":
		return probe.MediaType
	case header.IsIndex() || header.IsImage() || header.IsSchema1():
		return header
	case probe.Manifests != nil:
		return types.OCIImageIndex
	case probe.Config != nil:
		return types.OCIManifestSchema1
	case probe.SchemaVersion == 1 || probe.FSLayers != nil:
		return types.DockerManifestSchema1
	default:
		return header
	}
}
