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
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/types"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

func TestStreamOf(t *testing.T) {
	tests := []struct {
		repository string
		want       types.NamespacedName
		ok         bool
	}{
		{repository: "team/app", want: types.NamespacedName{Namespace: "team", Name: "app"}, ok: true},
		{repository: "team-1/my.app_v2", want: types.NamespacedName{Namespace: "team-1", Name: "my.app_v2"}, ok: true},
		{repository: "app"},
		{repository: "team/group/app"},
		{repository: "team.x/app"},
		{repository: "team/my__app"},
		{repository: "team/" + strings.Repeat("a", 64)},
		{repository: "team/" + strings.Repeat("a", 63), want: types.NamespacedName{Namespace: "team", Name: strings.Repeat("a", 63)}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.repository, func(t *testing.T) {
			g := NewWithT(t)
			got, ok := StreamOf(tt.repository)
			g.Expect(ok).To(Equal(tt.ok))
			g.Expect(got).To(Equal(tt.want))
		})
	}
}

func TestFromIntegratedRegistry(t *testing.T) {
	tests := []struct {
		name      string
		hosts     []string
		hostnames []string
		want      bool
	}{
		{name: "request host", hosts: []string{"registry.local:5000"}, hostnames: []string{"registry.local:5000"}, want: true},
		{name: "case and default port", hosts: []string{"Registry.Example.com:443"}, hostnames: []string{"registry.example.com"}, want: true},
		{name: "the public hostname", hosts: []string{"pushed.example.com"}, hostnames: []string{"registry.svc:5000", "pushed.example.com"}, want: true},
		{name: "the target URL's host", hosts: []string{"10.0.0.5:5000", "registry.svc:5000"}, hostnames: []string{"registry.svc:5000"}, want: true},
		{name: "another port", hosts: []string{"registry.local:5001"}, hostnames: []string{"registry.local:5000"}},
		{name: "another registry", hosts: []string{"quay.io"}, hostnames: []string{"registry.local"}},
		{name: "no host in the event", hostnames: []string{"registry.local"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			NewWithT(t).Expect(fromIntegratedRegistry(Push{Hosts: tt.hosts}, tt.hostnames)).To(Equal(tt.want))
		})
	}
}

func TestSourceRepositories(t *testing.T) {
	docker := func(name string) imagev1.TagReference {
		return imagev1.TagReference{Name: "t", From: &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: name}}
	}
	reference := docker("quay.io/ref/only:v1")
	reference.Reference = true
	is := &imagev1.ImageStream{Spec: imagev1.ImageStreamSpec{
		DockerImageRepository: "registry.local:5000/team/app",
		Tags: []imagev1.TagReference{
			docker("busybox:1.37"),
			docker("index.docker.io/library/busybox:latest"),
			docker("Quay.IO:443/org/app@" + digestA),
			docker("registry.local:5000/team/app:v1"),
			reference,
			{Name: "alias", From: &imagev1.ObjectReference{Kind: imagev1.ImageStreamTagKind, Name: "app:v1"}},
			{Name: "empty"},
			docker("not a pull spec"),
		},
	}}
	NewWithT(t).Expect(SourceRepositories(is)).To(Equal([]string{
		"docker.io/library/busybox", "quay.io/org/app", "registry.local:5000/team/app",
	}))
	NewWithT(t).Expect(repositoryKey("registry-1.docker.io", "library/busybox")).To(Equal("docker.io/library/busybox"))
}
