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
	"maps"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// DockerImageMetadataVersion is the dockerImageMetadataVersion of imported images.
const DockerImageMetadataVersion = "1.0"

// imageData builds the ImageData of a single-platform image from its manifest and
// config. reference is "<registry>/<repository>@<digest>". The raw manifest and config
// are not kept.
func imageData(reference string, mediaType types.MediaType, configDigest v1.Hash, m *v1.Manifest,
	cf *v1.ConfigFile) *imagev1.ImageData {
	size := m.Config.Size
	layers := make([]imagev1.ImageLayer, 0, len(m.Layers))
	for _, l := range m.Layers {
		size += l.Size
		layers = append(layers, imagev1.ImageLayer{Name: l.Digest.String(), LayerSize: l.Size, MediaType: string(l.MediaType)})
	}
	meta := &imagev1.DockerImage{
		ID:            configDigest.String(),
		Author:        cf.Author,
		Container:     cf.Container,
		DockerVersion: cf.DockerVersion,
		Config:        dockerConfig(&cf.Config),
		Architecture:  cf.Architecture,
		OS:            cf.OS,
		Size:          size,
	}
	if !cf.Created.IsZero() {
		created := metav1.NewTime(cf.Created.Time)
		meta.Created = &created
	}
	return &imagev1.ImageData{
		DockerImageReference:         reference,
		DockerImageMetadata:          meta,
		DockerImageMetadataVersion:   DockerImageMetadataVersion,
		DockerImageLayers:            layers,
		DockerImageManifestMediaType: string(mediaType),
	}
}

// dockerConfig converts the runtime configuration of an image config.
func dockerConfig(c *v1.Config) *imagev1.DockerConfig {
	return &imagev1.DockerConfig{
		Hostname:        c.Hostname,
		Domainname:      c.Domainname,
		User:            c.User,
		AttachStdin:     c.AttachStdin,
		AttachStdout:    c.AttachStdout,
		AttachStderr:    c.AttachStderr,
		ExposedPorts:    emptySet(c.ExposedPorts),
		Tty:             c.Tty,
		OpenStdin:       c.OpenStdin,
		StdinOnce:       c.StdinOnce,
		Env:             c.Env,
		Cmd:             c.Cmd,
		Image:           c.Image,
		Volumes:         emptySet(c.Volumes),
		WorkingDir:      c.WorkingDir,
		Entrypoint:      c.Entrypoint,
		NetworkDisabled: c.NetworkDisabled,
		OnBuild:         c.OnBuild,
		Labels:          maps.Clone(c.Labels),
	}
}

// emptySet converts a set-like map.
func emptySet(m map[string]struct{}) map[string]imagev1.Empty {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]imagev1.Empty, len(m))
	for k := range m {
		out[k] = imagev1.Empty{}
	}
	return out
}

// listImageData builds the ImageData of a manifest list or OCI index: its children with
// their platforms, no layers and no config.
func listImageData(reference string, digest v1.Hash, mediaType types.MediaType, index *v1.IndexManifest) *imagev1.ImageData {
	manifests := make([]imagev1.ImageManifest, 0, len(index.Manifests))
	for _, d := range index.Manifests {
		m := imagev1.ImageManifest{Digest: d.Digest.String(), MediaType: string(d.MediaType), ManifestSize: d.Size}
		if d.Platform != nil {
			m.Architecture, m.OS, m.Variant = d.Platform.Architecture, d.Platform.OS, d.Platform.Variant
		}
		manifests = append(manifests, m)
	}
	return &imagev1.ImageData{
		DockerImageReference:         reference,
		DockerImageMetadata:          &imagev1.DockerImage{ID: digest.String()},
		DockerImageMetadataVersion:   DockerImageMetadataVersion,
		DockerImageManifestMediaType: string(mediaType),
		DockerImageManifests:         manifests,
	}
}

// platformString returns "os/arch" or "os/arch/variant", or "" without an OS and
// architecture.
func platformString(os, arch, variant string) string {
	if os == "" && arch == "" {
		return ""
	}
	return Platform{OS: os, Architecture: arch, Variant: variant}.String()
}

// listPlatforms returns the platforms of the children of an index that declare one.
func listPlatforms(index *v1.IndexManifest) []string {
	var out []string
	for _, d := range index.Manifests {
		if d.Platform == nil {
			continue
		}
		if s := platformString(d.Platform.OS, d.Platform.Architecture, d.Platform.Variant); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// chooseManifest picks the child a Legacy import uses, as OpenShift does: the first
// whose os and architecture are the preferred ones, else the first linux/amd64, else
// the first child. The variant is ignored. manifests must not be empty.
func chooseManifest(manifests []v1.Descriptor, prefer Platform) v1.Descriptor {
	for _, want := range []Platform{prefer, {OS: "linux", Architecture: "amd64"}} {
		for _, d := range manifests {
			if d.Platform != nil && d.Platform.OS == want.OS && d.Platform.Architecture == want.Architecture {
				return d
			}
		}
	}
	return manifests[0]
}
