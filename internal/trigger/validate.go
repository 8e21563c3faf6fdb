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
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// streamNameRegexp is the rule for image stream names (the ImageStream CRD's, OpenShift's
// ValidateImageStreamName).
var streamNameRegexp = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// maxStreamNameLength is the ImageStream CRD's limit on metadata.name.
const maxStreamNameLength = 63

// AnnotationPath is the field path of the triggers annotation key, under which Validate
// reports errors: `metadata.annotations[<key>]`.
func AnnotationPath(key string) *field.Path {
	return field.NewPath("metadata", "annotations").Key(key)
}

// Validate checks the triggers of an object whose triggers annotation is key and whose pod
// spec, at p, is spec. Errors are reported at `metadata.annotations[<key>][<i>]...`:
//   - from.kind must be ImageStreamTag, from.name `<stream>:<tag>`, from.namespace a
//     namespace name and from.apiVersion empty or image.imagestreams.io/v1;
//   - fieldPath must follow the grammar of ParseFieldPath and name an existing container;
//   - no two triggers may set the same container (OpenShift refuses equal fieldPaths; this
//     also refuses a name and an index that select the same container).
//
// Paused triggers are validated too.
func Validate(key string, p PodSpecPath, spec *corev1.PodSpec, triggers []ObjectFieldTrigger) field.ErrorList {
	var errs field.ErrorList
	root := AnnotationPath(key)
	seen := map[string]int{}
	for i, t := range triggers {
		path := root.Index(i)
		errs = append(errs, validateFrom(path.Child("from"), t.From)...)
		selector, index, err := locate(p, spec, t.FieldPath)
		if err != nil {
			errs = append(errs, fieldPathError(path.Child("fieldPath"), p, t.FieldPath, err))
		}
		// Equal fieldPaths are duplicates even if invalid; valid ones are compared by the
		// container they select.
		id := "raw:" + t.FieldPath
		switch {
		case err == nil:
			id = fmt.Sprintf("container:%t/%d", selector.Init, index)
		case errors.As(err, new(*NoSuchContainerError)):
			id = "selector:" + selector.FieldPath(p)
		}
		if j, ok := seen[id]; ok {
			errs = append(errs, field.Invalid(path.Child("fieldPath"), t.FieldPath,
				fmt.Sprintf("duplicate triggers are not allowed: trigger [%d] already sets this container's image; remove one of them", j)))
			continue
		}
		seen[id] = i
	}
	return errs
}

// locate parses fieldPath and finds the container it selects in spec. A fieldPath that
// parses but selects no container returns the selector with a *NoSuchContainerError.
func locate(p PodSpecPath, spec *corev1.PodSpec, fieldPath string) (ContainerSelector, int, error) {
	if fieldPath == "" {
		return ContainerSelector{}, 0, errRequired
	}
	selector, err := ParseFieldPath(p, fieldPath)
	if err != nil {
		return ContainerSelector{}, 0, err
	}
	index, err := selector.Find(spec)
	return selector, index, err
}

// errRequired marks a missing fieldPath.
var errRequired = errors.New("required")

// fieldPathError turns an error of locate into a field error.
func fieldPathError(path *field.Path, p PodSpecPath, fieldPath string, err error) *field.Error {
	if errors.Is(err, errRequired) {
		return field.Required(path, "name the container image to set, like "+ContainerSelector{Name: "<container>"}.FieldPath(p))
	}
	return field.Invalid(path, fieldPath, err.Error())
}

// validateFrom checks the reference to the image stream tag a trigger follows.
func validateFrom(path *field.Path, from ObjectReference) field.ErrorList {
	var errs field.ErrorList
	switch from.Kind {
	case "":
		errs = append(errs, field.Required(path.Child("kind"), "must be ImageStreamTag"))
	case imagev1.ImageStreamTagKind:
	default:
		errs = append(errs, field.Invalid(path.Child("kind"), from.Kind,
			"must be ImageStreamTag: a trigger follows an image stream tag; to use a fixed image, set the container's image and remove the trigger"))
	}
	if from.Name == "" {
		errs = append(errs, field.Required(path.Child("name"), "must be <stream>:<tag>"))
	} else if msg := checkStreamTagName(from.Name); msg != "" {
		errs = append(errs, field.Invalid(path.Child("name"), from.Name, msg))
	}
	if from.Namespace != "" {
		for _, msg := range validation.IsDNS1123Label(from.Namespace) {
			errs = append(errs, field.Invalid(path.Child("namespace"), from.Namespace,
				"must be a namespace name, or empty for the object's own namespace: "+msg))
		}
	}
	if from.APIVersion != "" && from.APIVersion != imagev1.GroupVersion.String() {
		errs = append(errs, field.Invalid(path.Child("apiVersion"), from.APIVersion,
			fmt.Sprintf("must be empty or %q: triggers follow this operator's image streams", imagev1.GroupVersion.String())))
	}
	return errs
}

// checkStreamTagName returns what is wrong with an ImageStreamTag name, or "".
func checkStreamTagName(name string) string {
	stream, _, err := reference.ParseImageStreamTagName(name)
	if err != nil {
		return fmt.Sprintf("must be <stream>:<tag>, e.g. %q (%v)", "app:latest", err)
	}
	if len(stream) > maxStreamNameLength || !streamNameRegexp.MatchString(stream) {
		return fmt.Sprintf(`the stream name %q is not an image stream name: it must match "[a-z0-9]+(?:[._-][a-z0-9]+)*" and have at most %d characters`,
			stream, maxStreamNameLength)
	}
	return ""
}

// StreamTag is the image stream tag a trigger follows.
type StreamTag struct {
	// Namespace of the stream, never empty.
	Namespace string
	// Stream is the image stream name.
	Stream string
	// Tag is the tag name.
	Tag string
}

// String returns `<namespace>/<stream>:<tag>`.
func (s StreamTag) String() string {
	return s.Namespace + "/" + s.Stream + ":" + s.Tag
}

// StreamKey returns `<namespace>/<stream>`, the key under which a controller indexes the
// objects whose triggers follow a stream.
func (s StreamTag) StreamKey() string {
	return s.Namespace + "/" + s.Stream
}

// StreamTag returns the image stream tag t follows; an empty from.namespace is
// objectNamespace. It fails when from is not a valid ImageStreamTag reference.
func (t ObjectFieldTrigger) StreamTag(objectNamespace string) (StreamTag, error) {
	if errs := validateFrom(field.NewPath("from"), t.From); len(errs) > 0 {
		return StreamTag{}, errs.ToAggregate()
	}
	stream, tag, _ := reference.ParseImageStreamTagName(t.From.Name)
	namespace := t.From.Namespace
	if namespace == "" {
		namespace = objectNamespace
	}
	return StreamTag{Namespace: namespace, Stream: stream, Tag: tag}, nil
}

// Target is what one trigger of an object acts on: a container of its pod spec and the image
// stream tag whose image the container should run.
type Target struct {
	// Selector is the parsed fieldPath.
	Selector ContainerSelector
	// Index is the position of the container in containers (initContainers if Selector.Init)
	// when the target was resolved; Container and ImagePointer use it.
	Index int
	// Stream is the image stream tag followed.
	Stream StreamTag
	// Paused is the trigger's paused flag: a paused target must not be acted on.
	Paused bool
}

// Resolve returns the target of trigger t of an object in objectNamespace whose pod spec,
// at p, is spec. It fails when t is invalid (the errors of Validate, without the annotation
// path) or its container does not exist.
func Resolve(p PodSpecPath, spec *corev1.PodSpec, t ObjectFieldTrigger, objectNamespace string) (Target, error) {
	stream, err := t.StreamTag(objectNamespace)
	if err != nil {
		return Target{}, err
	}
	selector, index, err := locate(p, spec, t.FieldPath)
	if err != nil {
		return Target{}, fieldPathError(field.NewPath("fieldPath"), p, t.FieldPath, err)
	}
	return Target{Selector: selector, Index: index, Stream: stream, Paused: t.Paused}, nil
}

// Container returns the target container of spec, for reading and setting its image, or nil
// when spec has no container at the target's position. spec may be a copy of the spec the
// target was resolved from; Container checks that the name still matches when the trigger
// selects by name.
func (t Target) Container(spec *corev1.PodSpec) *corev1.Container {
	list := t.Selector.list(spec)
	if t.Index >= len(list) || (t.Selector.Name != "" && list[t.Index].Name != t.Selector.Name) {
		return nil
	}
	return &list[t.Index]
}

// ImagePointer returns the JSON pointer (RFC 6901) of the target container's image in an
// object whose pod spec is at p, e.g. `/spec/template/spec/containers/0/image`, for a JSON
// patch that tests the old image before replacing it, so a concurrent edit is not clobbered.
// It serves typed objects and unstructured ones alike.
func (t Target) ImagePointer(p PodSpecPath) string {
	return "/" + strings.Join(p.Fields(), "/") + "/" + t.Selector.listName() + "/" + fmt.Sprint(t.Index) + "/image"
}
