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
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// MediaType selects the manifest format pushed by PushImage, PushIndex and
// MoveTag. The empty value means DockerSchema2.
type MediaType string

const (
	// DockerSchema2 pushes Docker image manifests v2 schema 2 (and Docker
	// manifest lists from PushIndex).
	DockerSchema2 MediaType = "docker-schema2"
	// OCI pushes OCI image manifests (and OCI image indexes from PushIndex).
	OCI MediaType = "oci"
)

const (
	// layerSize is the uncompressed size of each generated layer file.
	layerSize = 256
	// defaultOS and defaultArch complete platforms that leave them empty.
	defaultOS   = "linux"
	defaultArch = "amd64"
)

// created is the fixed creation time of generated images, so digests are
// reproducible.
var created = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// Platform identifies the platform of an image or index entry. OS defaults
// to "linux" and Architecture to "amd64".
type Platform struct {
	OS           string
	Architecture string
	Variant      string
}

// String returns "os/arch" or "os/arch/variant", the key of the children
// returned by PushIndex.
func (p Platform) String() string {
	p = p.withDefaults()
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

func (p Platform) withDefaults() Platform {
	if p.OS == "" {
		p.OS = defaultOS
	}
	if p.Architecture == "" {
		p.Architecture = defaultArch
	}
	return p
}

// DefaultPlatforms returns the platforms PushIndex uses when none are given:
// linux/amd64, linux/arm64 and linux/ppc64le.
func DefaultPlatforms() []Platform {
	return []Platform{
		{OS: defaultOS, Architecture: defaultArch},
		{OS: defaultOS, Architecture: "arm64"},
		{OS: defaultOS, Architecture: "ppc64le"},
	}
}

// ImageSpec describes a single-platform image pushed by PushImage. Layer
// contents are derived from the repository, tag, Seed and platform, so the
// same spec pushed to the same repo:tag always yields the same digest.
type ImageSpec struct {
	// MediaType is the manifest format; empty means DockerSchema2.
	MediaType MediaType
	// Cmd, Entrypoint, Env, User and WorkingDir are copied to the image config.
	Cmd        []string
	Entrypoint []string
	Env        []string
	User       string
	WorkingDir string
	// ExposedPorts lists ports such as "8080/tcp".
	ExposedPorts []string
	// Labels are copied to the image config.
	Labels map[string]string
	// Architecture, OS and Variant default to amd64, linux and none.
	Architecture string
	OS           string
	Variant      string
	// Seed varies the layer contents (and so the digest) of otherwise equal
	// specs.
	Seed int64
	// Layers is the number of layers; 0 means 1.
	Layers int
}

// buildImage builds the deterministic image described by spec.
func buildImage(repo, tag string, spec ImageSpec) (v1.Image, error) {
	manifestType, configType, layerType := types.DockerManifestSchema2, types.DockerConfigJSON, types.DockerLayer
	switch spec.MediaType {
	case "", DockerSchema2:
	case OCI:
		manifestType, configType, layerType = types.OCIManifestSchema1, types.OCIConfigJSON, types.OCILayer
	default:
		return nil, fmt.Errorf("unknown media type %q", spec.MediaType)
	}
	p := Platform{OS: spec.OS, Architecture: spec.Architecture, Variant: spec.Variant}.withDefaults()
	adds := make([]mutate.Addendum, 0, max(spec.Layers, 1))
	for i := range max(spec.Layers, 1) {
		h := fnv.New64a()
		_, _ = fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00%d", repo, tag, spec.Seed, p, i)
		src := rand.NewSource(int64(h.Sum64()))
		layer, err := random.Layer(layerSize, layerType, random.WithSource(src))
		if err != nil {
			return nil, fmt.Errorf("generate layer: %w", err)
		}
		adds = append(adds, mutate.Addendum{Layer: layer, History: v1.History{
			Created:   v1.Time{Time: created},
			CreatedBy: fmt.Sprintf("testregistry layer %d", i),
		}})
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, manifestType), configType)
	img, err := mutate.Append(base, adds...)
	if err != nil {
		return nil, fmt.Errorf("append layers: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.Created = v1.Time{Time: created}
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Config = v1.Config{
		Cmd:        slices.Clone(spec.Cmd),
		Entrypoint: slices.Clone(spec.Entrypoint),
		Env:        slices.Clone(spec.Env),
		User:       spec.User,
		WorkingDir: spec.WorkingDir,
		Labels:     maps.Clone(spec.Labels),
	}
	if len(spec.ExposedPorts) > 0 {
		cf.Config.ExposedPorts = make(map[string]struct{}, len(spec.ExposedPorts))
		for _, port := range spec.ExposedPorts {
			cf.Config.ExposedPorts[port] = struct{}{}
		}
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("set config: %w", err)
	}
	return img, nil
}
