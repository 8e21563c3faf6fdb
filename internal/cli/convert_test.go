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
	"bytes"
	"strings"
	"testing"
)

func TestConvertDocuments(t *testing.T) {
	in := `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: python
  annotations:
    openshift.io/image.insecureRepository: "true"
spec:
  lookupPolicy:
    local: true
  tags:
  - name: "3.12"
    annotations:
      importer.image.openshift.io/prefer-arch: arm64
    from:
      kind: DockerImage
      name: docker.io/library/python:3.12
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"python:3.12"},"fieldPath":"spec.template.spec.containers[?(@.name==\"web\")].image"}]'
spec:
  template:
    metadata:
      annotations:
        alpha.image.policy.openshift.io/resolve-names: "*"
---
{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "image.openshift.io/v1", "kind": "ImageStreamTag", "metadata": {"name": "python:latest"}},
  {"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "metadata": {"name": "old"}}
]}
`
	want := `apiVersion: image.imagestreams.io/v1
kind: ImageStream
metadata:
  annotations:
    image.imagestreams.io/insecure-repository: "true"
  name: python
spec:
  lookupPolicy:
    local: true
  tags:
  - annotations:
      image.imagestreams.io/prefer-arch: arm64
    from:
      kind: DockerImage
      name: docker.io/library/python:3.12
    name: "3.12"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    image.imagestreams.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"python:3.12"},"fieldPath":"spec.template.spec.containers[?(@.name==\"web\")].image"}]'
  name: web
spec:
  template:
    metadata:
      annotations:
        image.imagestreams.io/resolve-names: '*'
---
apiVersion: v1
items:
- apiVersion: image.openshift.io/v1
  kind: ImageStreamTag
  metadata:
    name: python:latest
- apiVersion: apps.openshift.io/v1
  kind: DeploymentConfig
  metadata:
    name: old
kind: List
`
	out := &bytes.Buffer{}
	warnings, err := convertDocuments(strings.NewReader(in), out)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "ImageStreamTag/python:latest: kind ImageStreamTag is not served") ||
		!strings.Contains(warnings[1], "DeploymentConfig/old: DeploymentConfigs are not supported") {
		t.Errorf("warnings = %q", warnings)
	}
}
