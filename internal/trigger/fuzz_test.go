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

package trigger

import (
	"errors"
	"testing"
)

// FuzzParseFieldPath checks that ParseFieldPath never panics, fails only with a
// *FieldPathError, accepts only fieldPaths it can write back exactly (the grammar has one
// spelling per container), and that Validate of any fieldPath does not panic. More seeds
// live in testdata/fuzz/FuzzParseFieldPath.
func FuzzParseFieldPath(f *testing.F) {
	for _, seed := range []string{
		`spec.template.spec.containers[?(@.name=="web")].image`,
		`spec.template.spec.initContainers[0].image`,
		`spec.jobTemplate.spec.template.spec.containers[1].image`,
		`spec.containers[0].image`,
		`spec.template.spec.containers[01].image`,
		`spec.template.spec.containers[?(@.name=="a]b")].image`,
		"",
	} {
		f.Add(seed)
	}
	paths := []PodSpecPath{PodPodSpec, TemplatePodSpec, CronJobPodSpec}
	f.Fuzz(func(t *testing.T, fieldPath string) {
		for _, p := range paths {
			s, err := ParseFieldPath(p, fieldPath)
			if err != nil {
				var fpErr *FieldPathError
				if !errors.As(err, &fpErr) {
					t.Fatalf("ParseFieldPath(%s, %q) returned an undocumented error: %v", p, fieldPath, err)
				}
				if s != (ContainerSelector{}) {
					t.Fatalf("ParseFieldPath(%s, %q) returned %#v with error %v", p, fieldPath, s, err)
				}
				continue
			}
			if back := s.FieldPath(p); back != fieldPath {
				t.Fatalf("ParseFieldPath(%s, %q) = %#v, which writes back as %q", p, fieldPath, s, back)
			}
			if again, err := ParseFieldPath(p, s.FieldPath(p)); err != nil || again != s {
				t.Fatalf("ParseFieldPath(FieldPath(%#v)) = %#v, %v", s, again, err)
			}
			if _, err := s.Find(podSpec()); err != nil {
				var nsc *NoSuchContainerError
				if !errors.As(err, &nsc) {
					t.Fatalf("Find(%#v) returned an undocumented error: %v", s, err)
				}
			}
			Validate("key", p, podSpec(), []ObjectFieldTrigger{istag("a:b", fieldPath), istag("a:b", fieldPath)})
		}
	})
}
