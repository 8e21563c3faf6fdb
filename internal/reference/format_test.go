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

package reference

import "testing"

func TestDockerClientDefaults(t *testing.T) {
	tests := []struct {
		spec string
		want string
	}{
		{"busybox", "docker.io/library/busybox:latest"},
		{"user/app", "docker.io/user/app:latest"},
		{"docker.io/app:1", "docker.io/library/app:1"},
		{"index.docker.io/app", "index.docker.io/library/app:latest"},
		{"localhost:5000/app", "localhost:5000/app:latest"},
		{"127.0.0.1:5000/ns/app:v1", "127.0.0.1:5000/ns/app:v1"},
		{"quay.io/org/sub/app@" + sha256ID, "quay.io/org/sub/app@" + sha256ID},
		{"busybox@" + sha256ID, "docker.io/library/busybox@" + sha256ID},
		{"registry.example.com:443/a/b:tag@" + sha256ID, "registry.example.com:443/a/b:tag@" + sha256ID},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			ref, err := Parse(tt.spec)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.spec, err)
			}
			if got := ref.DockerClientDefaults().Exact(); got != tt.want {
				t.Errorf("DockerClientDefaults() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDerivedForms(t *testing.T) {
	tests := []struct {
		spec, mostSpecific, repository, repositoryName string
	}{
		{
			spec:           "registry.example.com:443/a/b:tag@" + sha256ID,
			mostSpecific:   "registry.example.com:443/a/b@" + sha256ID,
			repository:     "registry.example.com:443/a/b",
			repositoryName: "a/b",
		},
		{
			spec:           "quay.io/org/sub/app:v2",
			mostSpecific:   "quay.io/org/sub/app:v2",
			repository:     "quay.io/org/sub/app",
			repositoryName: "org/sub/app",
		},
		{
			spec:           "busybox@" + sha256ID,
			mostSpecific:   "busybox@" + sha256ID,
			repository:     "busybox",
			repositoryName: "busybox",
		},
		{
			spec:           "localhost:5000",
			mostSpecific:   "localhost:5000",
			repository:     "localhost:5000",
			repositoryName: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			ref, err := Parse(tt.spec)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.spec, err)
			}
			if got := ref.String(); got != tt.spec {
				t.Errorf("String() = %q, want %q", got, tt.spec)
			}
			if got := ref.MostSpecific().Exact(); got != tt.mostSpecific {
				t.Errorf("MostSpecific() = %q, want %q", got, tt.mostSpecific)
			}
			if got := ref.AsRepository().Exact(); got != tt.repository {
				t.Errorf("AsRepository() = %q, want %q", got, tt.repository)
			}
			if got := ref.RepositoryName(); got != tt.repositoryName {
				t.Errorf("RepositoryName() = %q, want %q", got, tt.repositoryName)
			}
		})
	}
}

func TestExactOfBuiltReferences(t *testing.T) {
	tests := []struct {
		name string
		ref  DockerImageReference
		want string
	}{
		{"zero", DockerImageReference{}, ""},
		{"id only", DockerImageReference{ID: sha256ID}, ""},
		{"tag and id", DockerImageReference{Name: "app", Tag: "v1", ID: sha256ID}, "app:v1@" + sha256ID},
		{"registry without name drops tag", DockerImageReference{Registry: "quay.io", Tag: "latest"}, "quay.io"},
		{"full", DockerImageReference{Registry: "r.io", Namespace: "ns", Name: "a/b", Tag: "t"}, "r.io/ns/a/b:t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ref.Exact(); got != tt.want {
				t.Errorf("Exact() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"busybox", "docker.io/library/busybox:latest", true},
		{"busybox", "index.docker.io/library/busybox", false},
		{"user/app:latest", "docker.io/user/app", true},
		{"quay.io/app", "quay.io/app:latest", true},
		{"quay.io/app", "quay.io/library/app", false},
		{"app@" + sha256ID, "app:latest@" + sha256ID, false},
		{"app:v1", "app:v2", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, errA := Parse(tt.a)
			b, errB := Parse(tt.b)
			if errA != nil || errB != nil {
				t.Fatalf("Parse errors: %v, %v", errA, errB)
			}
			if got := a.Equal(b); got != tt.want {
				t.Errorf("Equal() = %v, want %v", got, tt.want)
			}
			if got := b.Equal(a); got != tt.want {
				t.Errorf("reversed Equal() = %v, want %v", got, tt.want)
			}
		})
	}
}
