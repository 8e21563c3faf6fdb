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

// Package trigger is the model of image change triggers: the JSON list in the
// image.imagestreams.io/triggers (or OpenShift's image.openshift.io/triggers) annotation of a
// workload, the fieldPath grammar that names one container of its pod spec, and the rules a
// valid list follows. It has no client: the admission webhook validates with it and the
// trigger controller resolves with it.
package trigger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// ObjectFieldTrigger links a field of an object, a container image, to an image stream tag.
// It is OpenShift's type, with OpenShift's JSON.
type ObjectFieldTrigger struct {
	// From is the image stream tag to follow; Kind and Name are required.
	From ObjectReference `json:"from"`
	// FieldPath names the container image to set, for example
	// `spec.template.spec.containers[?(@.name=="web")].image`.
	FieldPath string `json:"fieldPath"`
	// Paused triggers are kept but not acted on.
	Paused bool `json:"paused,omitempty"`
}

// ObjectReference identifies the object a trigger follows.
type ObjectReference struct {
	// Kind must be ImageStreamTag.
	Kind string `json:"kind"`
	// Name is `<stream>:<tag>`.
	Name string `json:"name"`
	// Namespace of the stream; empty means the namespace of the object carrying the trigger.
	Namespace string `json:"namespace,omitempty"`
	// APIVersion is optional; when set it must be the operator's image.imagestreams.io/v1.
	APIVersion string `json:"apiVersion,omitempty"`
}

// exampleValue shows the shape of a valid annotation value in error messages.
const exampleValue = `[{"from":{"kind":"ImageStreamTag","name":"<stream>:<tag>"},"fieldPath":"spec.template.spec.containers[?(@.name==\"<container>\")].image"}]`

// Annotation returns the key and value of the triggers annotation among annotations:
// image.imagestreams.io/triggers, else image.openshift.io/triggers. Both may be present only
// with equal values; otherwise the object is ambiguous and an error names both keys. An
// object without either gives an empty key and no error.
func Annotation(annotations map[string]string) (key, value string, err error) {
	ours, hasOurs := annotations[imagev1.TriggersAnnotation]
	theirs, hasTheirs := annotations[imagev1.OpenShiftTriggersAnnotation]
	switch {
	case hasOurs && hasTheirs && ours != theirs:
		return "", "", fmt.Errorf("annotations %s and %s are both set and differ: they are two spellings of the same triggers, keep only one of them",
			imagev1.TriggersAnnotation, imagev1.OpenShiftTriggersAnnotation)
	case hasOurs:
		return imagev1.TriggersAnnotation, ours, nil
	case hasTheirs:
		return imagev1.OpenShiftTriggersAnnotation, theirs, nil
	}
	return "", "", nil
}

// Decode parses an annotation value: a JSON list of triggers. Unknown fields are refused, so
// that a misspelt field is reported instead of silently ignored. Decode checks only the
// shape; Validate checks the rules.
func Decode(value string) ([]ObjectFieldTrigger, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(value)))
	dec.DisallowUnknownFields()
	var triggers []ObjectFieldTrigger
	if err := dec.Decode(&triggers); err != nil {
		return nil, fmt.Errorf("invalid JSON: %s; the value must be a JSON list like %s", jsonErrorText(err), exampleValue)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("invalid JSON: unexpected data after the list; the value must be a JSON list like %s", exampleValue)
	}
	return triggers, nil
}

// jsonErrorText describes a decoding error without Go type names.
func jsonErrorText(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return fmt.Sprintf("found a JSON %s instead of a list", typeErr.Value)
		}
		return fmt.Sprintf("field %q must not be a JSON %s", typeErr.Field, typeErr.Value)
	}
	if errors.Is(err, io.EOF) {
		return "the value is empty"
	}
	return err.Error()
}

// Parse returns the triggers of an object from its annotations (nil when it has none). It is
// Annotation followed by Decode, with errors naming the annotation.
func Parse(annotations map[string]string) ([]ObjectFieldTrigger, error) {
	key, value, err := Annotation(annotations)
	if err != nil || key == "" {
		return nil, err
	}
	triggers, err := Decode(value)
	if err != nil {
		return nil, fmt.Errorf("annotation %s: %w", key, err)
	}
	return triggers, nil
}

// Encode returns the annotation value for triggers.
func Encode(triggers []ObjectFieldTrigger) (string, error) {
	if triggers == nil {
		triggers = []ObjectFieldTrigger{}
	}
	raw, err := json.Marshal(triggers)
	if err != nil {
		return "", fmt.Errorf("encoding triggers: %w", err)
	}
	return string(raw), nil
}
