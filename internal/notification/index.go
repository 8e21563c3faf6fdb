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
	"slices"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// sourceRepositoryIndex indexes image streams by the repositories (repositoryKey) that
// their DockerImage spec tags and spec.dockerImageRepository import from.
const sourceRepositoryIndex = "imagestreams.io/source-repositories"

// dockerHubHosts are the host names of Docker Hub, all indexed as docker.io.
var dockerHubHosts = map[string]bool{
	"docker.io": true, "index.docker.io": true, "registry-1.docker.io": true, "registry.hub.docker.com": true,
}

// repositoryKey is how the index names a repository: the registry host in lower case,
// without the default port 443, Docker Hub under one name, then the repository path.
func repositoryKey(registry, repository string) string {
	host := strings.TrimSuffix(strings.ToLower(registry), ":443")
	if dockerHubHosts[host] {
		host = reference.DockerDefaultRegistry
	}
	return host + "/" + repository
}

// SourceRepositories returns the repositoryKeys that the stream's DockerImage spec tags
// (those that are imported, not `reference: true`) and spec.dockerImageRepository import
// from.
func SourceRepositories(is *imagev1.ImageStream) []string {
	var keys []string
	add := func(pullSpec string) {
		ref, err := reference.Parse(pullSpec)
		if err != nil || ref.Name == "" {
			return
		}
		ref = ref.DockerClientDefaults()
		if key := repositoryKey(ref.Registry, ref.RepositoryName()); !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	for _, t := range is.Spec.Tags {
		if t.From != nil && t.From.Kind == imagev1.DockerImageKind && !t.Reference {
			add(t.From.Name)
		}
	}
	if is.Spec.DockerImageRepository != "" {
		add(is.Spec.DockerImageRepository)
	}
	return keys
}

// indexSourceRepositories registers sourceRepositoryIndex.
func indexSourceRepositories(ctx context.Context, mgr ctrl.Manager) error {
	return mgr.GetFieldIndexer().IndexField(ctx, &imagev1.ImageStream{}, sourceRepositoryIndex, func(o client.Object) []string {
		return SourceRepositories(o.(*imagev1.ImageStream))
	})
}
