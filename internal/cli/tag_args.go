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
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// Argument parsing and validation of `tag`, as oc does it. Pure functions.

// sourceKinds maps the --source values oc accepts to kinds.
var sourceKinds = map[string]string{
	"imagestreamtag":   imagev1.ImageStreamTagKind,
	"istag":            imagev1.ImageStreamTagKind,
	"imagestreamimage": imagev1.ImageStreamImageKind,
	"isimage":          imagev1.ImageStreamImageKind,
	"docker":           imagev1.DockerImageKind,
	"dockerimage":      imagev1.DockerImageKind,
}

// parseSourceKind turns a --source value into a kind ("" when not given).
func parseSourceKind(value string) (string, error) {
	if value == "" {
		return "", nil
	}
	if kind, ok := sourceKinds[strings.ToLower(value)]; ok {
		return kind, nil
	}
	valid := make([]string, 0, len(sourceKinds))
	for k := range sourceKinds {
		valid = append(valid, k)
	}
	slices.Sort(valid)
	return "", fmt.Errorf("invalid source %q; valid values are %s", value, strings.Join(valid, ", "))
}

// tagSourceRef is the parsed SOURCE of `tag`.
type tagSourceRef struct {
	// kind is DockerImage, ImageStreamTag or ImageStreamImage.
	kind string
	// ref is the parsed source; for image stream sources Namespace is the stream's
	// namespace ("" for the current one) and Name the stream.
	ref reference.DockerImageReference
}

// parseTagSource parses SOURCE and infers its kind when kind is "": a registry means a
// container image, else an @ID an image stream image, else a :tag an image stream tag, else
// a container image.
func parseTagSource(source, kind string) (tagSourceRef, error) {
	ref, err := reference.Parse(source)
	if err != nil {
		return tagSourceRef{}, fmt.Errorf("invalid SOURCE: %w", err)
	}
	switch kind {
	case imagev1.ImageStreamTagKind, imagev1.ImageStreamImageKind:
		if ref.Registry != "" {
			return tagSourceRef{}, errors.New("server in SOURCE is only allowed when providing a container image")
		}
		if ref.Namespace == "library" {
			ref.Namespace = ""
		}
		if kind == imagev1.ImageStreamTagKind && ref.Tag == "" {
			return tagSourceRef{}, errors.New("--source=ImageStreamTag requires a valid <name>:<tag> in SOURCE")
		}
		if kind == imagev1.ImageStreamImageKind && ref.ID == "" {
			return tagSourceRef{}, errors.New("--source=ImageStreamImage requires a valid <name>@<id> in SOURCE")
		}
	case "":
		switch {
		case ref.Registry != "":
			kind = imagev1.DockerImageKind
		case ref.ID != "":
			kind = imagev1.ImageStreamImageKind
		case ref.Tag != "":
			kind = imagev1.ImageStreamTagKind
		default:
			kind = imagev1.DockerImageKind
		}
	}
	return tagSourceRef{kind: kind, ref: ref}, nil
}

// fromName is the spec tag's from.name for the source.
func (s tagSourceRef) fromName() string {
	if s.kind == imagev1.DockerImageKind {
		return s.ref.Exact()
	}
	name := s.ref.Name
	if s.ref.ID != "" {
		return name + "@" + s.ref.ID
	}
	return name + ":" + s.ref.Tag
}

// String is the source as oc prints it in its messages.
func (s tagSourceRef) String() string {
	if s.kind == imagev1.DockerImageKind {
		return s.ref.Exact()
	}
	return reference.DockerImageReference{Namespace: s.ref.Namespace, Name: s.ref.Name, Tag: s.ref.Tag, ID: s.ref.ID}.MostSpecific().Exact()
}

// tagDestination is one DEST of `tag`.
type tagDestination struct {
	namespace, stream, tag string
}

// String is `<stream>:<tag>`.
func (d tagDestination) String() string { return d.stream + ":" + d.tag }

// parseDestination parses `[<namespace>/]<stream>:<tag>`.
func parseDestination(defaultNamespace, arg string) (tagDestination, error) {
	d := tagDestination{namespace: defaultNamespace}
	nameAndTag := arg
	if strings.Contains(arg, "/") {
		parts := strings.Split(arg, "/")
		if len(parts) != 2 {
			return d, fmt.Errorf("invalid image stream %q", arg)
		}
		if parts[0] == "" {
			return d, fmt.Errorf("invalid namespace %q for image stream %q", parts[0], arg)
		}
		if parts[1] == "" {
			return d, fmt.Errorf("invalid name %q for image stream %q", parts[1], arg)
		}
		d.namespace, nameAndTag = parts[0], parts[1]
	}
	stream, tag, ok := strings.Cut(nameAndTag, ":")
	if !ok || stream == "" || tag == "" || strings.Contains(tag, ":") || strings.Contains(nameAndTag, "@") {
		return d, fmt.Errorf("%q must be of the form <stream_name>:<tag>", nameAndTag)
	}
	d.stream, d.tag = stream, tag
	return d, nil
}

// tagNameRegexp is oc's rule for tag names.
var tagNameRegexp = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)

// validateTagName checks a destination tag name with oc's message.
func validateTagName(tag string) error {
	if !tagNameRegexp.MatchString(tag) {
		return fmt.Errorf("invalid tag %q format, tags must start with an alphanumeric character followed by alphanumeric, '.' or '-' characters, and have a maximum of 128 characters", tag)
	}
	return nil
}

// parseImportMode checks --import-mode (case-sensitive, "" meaning the default).
func parseImportMode(mode string) (imagev1.ImportModeType, error) {
	switch imagev1.ImportModeType(mode) {
	case "", imagev1.ImportModeLegacy, imagev1.ImportModePreserveOriginal:
		return imagev1.ImportModeType(mode), nil
	}
	return "", errors.New("valid ImportMode values are Legacy or PreserveOriginal")
}

// parseReferencePolicy turns --reference-policy (source or local) into a policy type.
func parseReferencePolicy(policy string, caseSensitive bool) (imagev1.TagReferencePolicyType, error) {
	if !caseSensitive {
		policy = strings.ToLower(policy)
	}
	switch policy {
	case "source":
		return imagev1.SourceTagReferencePolicy, nil
	case "local":
		return imagev1.LocalTagReferencePolicy, nil
	}
	return "", errors.New("reference policy must be set to 'source' or 'local'")
}

// tagFlags are the flags of `tag`.
type tagFlags struct {
	sourceKind      string
	delete          bool
	alias           bool
	reference       bool
	scheduled       bool
	insecure        bool
	referencePolicy string
	importMode      string
}

// validate applies oc's rules to the flags, the source kind ("" when deleting) and the
// destinations.
func (f tagFlags) validate(source tagSourceRef, namespace string, dests []tagDestination) error {
	if f.delete {
		switch {
		case f.alias:
			return errors.New("--alias and --delete may not be both specified")
		case f.sourceKind != "":
			return errors.New("cannot specify a source kind when deleting")
		case f.scheduled || f.insecure || f.importMode != "":
			return errors.New("cannot set flags for importing images when deleting a tag")
		}
		return nil
	}
	if source.kind != imagev1.DockerImageKind && (f.scheduled || f.insecure) {
		return errors.New("only container images can have importing flags set")
	}
	if f.alias {
		if f.scheduled || f.insecure {
			return errors.New("cannot set a container image tag as an alias and also set import flags")
		}
		if source.kind != imagev1.ImageStreamTagKind {
			return errors.New("--alias requires an image stream tag (<stream>:<tag>) as SOURCE")
		}
		sourceNamespace := source.ref.Namespace
		if sourceNamespace == "" {
			sourceNamespace = namespace
		}
		for _, d := range dests {
			if d.namespace != sourceNamespace || d.stream != source.ref.Name {
				return errors.New("cannot set alias across different Image Streams")
			}
		}
	}
	return nil
}

// tagMessage is what oc prints after setting dest in namespace (the current namespace is
// not repeated).
func tagMessage(f tagFlags, source tagSourceRef, dest tagDestination, currentNamespace string) string {
	name := dest.String()
	if dest.namespace != currentNamespace {
		name = dest.namespace + "/" + name
	}
	switch {
	case f.alias:
		return fmt.Sprintf("Tag %s set up to track %s.", name, source)
	case f.scheduled:
		return fmt.Sprintf("Tag %s set to import %s periodically.", name, source)
	}
	return fmt.Sprintf("Tag %s set to %s.", name, source)
}

// tagReference builds the spec tag dest gets, keeping the annotations of the existing tag.
func tagReference(f tagFlags, source tagSourceRef, dest tagDestination, currentNamespace string, existing *imagev1.TagReference) (imagev1.TagReference, error) {
	mode, err := parseImportMode(f.importMode)
	if err != nil {
		return imagev1.TagReference{}, err
	}
	policy, err := parseReferencePolicy(f.referencePolicy, true)
	if err != nil {
		return imagev1.TagReference{}, err
	}
	t := imagev1.TagReference{
		Name:            dest.tag,
		Reference:       f.reference,
		From:            &imagev1.ObjectReference{Kind: source.kind, Name: source.fromName()},
		ImportPolicy:    imagev1.TagImportPolicy{Insecure: f.insecure, Scheduled: f.scheduled, ImportMode: mode},
		ReferencePolicy: imagev1.TagReferencePolicy{Type: policy},
	}
	if existing != nil {
		t.Annotations = existing.Annotations
	}
	if source.kind != imagev1.DockerImageKind {
		t.From.Namespace = source.ref.Namespace
		if t.From.Namespace == "" && dest.namespace != currentNamespace {
			t.From.Namespace = currentNamespace
		}
		if t.From.Namespace == dest.namespace && source.kind == imagev1.ImageStreamTagKind && f.alias {
			t.From.Namespace = ""
		}
	}
	return t, nil
}
