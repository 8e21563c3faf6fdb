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
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Mirror sends the imports of a source registry, or of a repository prefix of it, to a
// mirror first, as OpenShift's ImageTagMirrorSet and ImageDigestMirrorSet do: a mirrored
// image keeps its source name in the stream (the digest is the same), and nodes pull it
// through their own mirror configuration.
type Mirror struct {
	// Source is a registry host, optionally with a repository prefix: "docker.io",
	// "quay.io/org".
	Source string
	// Mirror replaces Source in the repository: "mirror.local:5000",
	// "mirror.local/dockerhub".
	Mirror string
	// Insecure allows plain HTTP and unverified TLS to the mirror.
	Insecure bool
}

// Mirror source policies (OpenShift's mirrorSourcePolicy).
const (
	// AllowContactingSource tries the source when no mirror has the image.
	AllowContactingSource = "AllowContactingSource"
	// NeverContactSource imports from mirrors only.
	NeverContactSource = "NeverContactSource"
)

// ParseMirror parses "<source>=<mirror>", where a mirror written "http://<mirror>" is
// insecure: "docker.io=mirror.local:5000", "quay.io/org=http://127.0.0.1:5000/org".
func ParseMirror(s string) (Mirror, error) {
	source, mirror, ok := strings.Cut(s, "=")
	m := Mirror{Source: strings.TrimSuffix(source, "/")}
	if rest, plain := strings.CutPrefix(mirror, "http://"); plain {
		m.Mirror, m.Insecure = rest, true
	} else {
		m.Mirror = strings.TrimPrefix(mirror, "https://")
	}
	m.Mirror = strings.TrimSuffix(m.Mirror, "/")
	if !ok || m.Source == "" || m.Mirror == "" || strings.Contains(m.Mirror, "://") {
		return Mirror{}, fmt.Errorf("registry mirror %q is not of the form <source>[/<path>]=[http://]<mirror>[/<path>], "+
			"e.g. docker.io=mirror.local:5000", s)
	}
	for _, part := range []string{m.Source, m.Mirror} {
		host, path, _ := strings.Cut(part, "/")
		_, err := name.NewRegistry(host, name.StrictValidation)
		if err == nil && path != "" {
			_, err = name.NewRepository(part, name.StrictValidation)
		}
		if err != nil {
			return Mirror{}, fmt.Errorf("registry mirror %q: %q is not a registry host with an optional repository path: %w", s, part, err)
		}
	}
	return m, nil
}

// candidates returns the targets an import of t tries, in order: the mirrors whose source
// covers t's repository (most specific source first, then in the order configured), then
// t itself unless the mirror source policy is NeverContactSource. Each mirror target keeps
// t's display name, so that the references an import records name the source.
func (i *Importer) candidates(t target) ([]target, error) {
	var mirrors []Mirror
	for _, m := range i.opts.Mirrors {
		if t.display == m.Source || strings.HasPrefix(t.display, m.Source+"/") {
			mirrors = append(mirrors, m)
		}
	}
	sort.SliceStable(mirrors, func(a, b int) bool { return len(mirrors[a].Source) > len(mirrors[b].Source) })
	var targets []target
	for _, m := range mirrors {
		repository := m.Mirror + strings.TrimPrefix(t.display, m.Source)
		host, path, _ := strings.Cut(repository, "/")
		mt, err := newTarget(host, path, m.Insecure)
		if err != nil {
			return nil, err
		}
		mt.display, mt.mirror = t.display, repository
		targets = append(targets, mt)
	}
	if len(targets) == 0 || i.opts.MirrorSourcePolicy != NeverContactSource {
		targets = append(targets, t)
	}
	return targets, nil
}

// throughMirrors runs fn with each candidate of t until one succeeds, and returns the
// error of the last one otherwise. ref is the image reference of messages; for a mirror it
// names the mirror too.
func (i *Importer) throughMirrors(t target, ref string, fn func(c target, ref string) error) error {
	targets, err := i.candidates(t)
	if err != nil {
		return err
	}
	for _, c := range targets {
		r := ref
		if c.mirror != "" {
			r = fmt.Sprintf("%s (mirror %s)", ref, c.mirror)
		}
		if err = fn(c, r); err == nil {
			return nil
		}
	}
	return err
}
