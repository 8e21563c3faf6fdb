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
	"strings"
	"testing"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// FuzzTagArguments checks that argument parsing never panics and that what it accepts
// reads back: a destination prints as the `<stream>:<tag>` it came from, and an image stream
// source's from.name has the shape the operator parses.
func FuzzTagArguments(f *testing.F) {
	for _, seed := range []string{
		"python:3.5", "team/python:latest", "python@sha256:" + strings.Repeat("a", 64), "docker.io/python:3.6.0",
		"centos/python-35-centos7", "localhost:5000/a/b:c", "a:b:c", "/x:y", "x/", "", "Python:3", "a@b@c", "[::1]:5000/x:y",
	} {
		f.Add(seed, "")
		f.Add(seed, imagev1.ImageStreamTagKind)
		f.Add(seed, imagev1.ImageStreamImageKind)
	}
	f.Fuzz(func(t *testing.T, arg, kind string) {
		if d, err := parseDestination("default", arg); err == nil {
			name := arg
			if i := strings.Index(arg, "/"); i >= 0 {
				name = arg[i+1:]
			}
			if d.String() != name || d.stream == "" || d.tag == "" {
				t.Errorf("destination %q parsed as %+v", arg, d)
			}
		}
		s, err := parseTagSource(arg, kind)
		if err != nil {
			return
		}
		switch s.kind {
		case imagev1.ImageStreamTagKind:
			if strings.Count(s.fromName(), ":") != 1 || strings.Contains(s.fromName(), "@") {
				t.Errorf("source %q gives the ImageStreamTag name %q", arg, s.fromName())
			}
		case imagev1.ImageStreamImageKind:
			if strings.Count(s.fromName(), "@") != 1 {
				t.Errorf("source %q gives the ImageStreamImage name %q", arg, s.fromName())
			}
		case imagev1.DockerImageKind:
			if s.fromName() != arg {
				t.Errorf("the pull spec %q became %q", arg, s.fromName())
			}
		}
	})
}
