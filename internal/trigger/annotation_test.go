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
	"reflect"
	"strings"
	"testing"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// webTrigger is the annotation `oc set triggers deploy/x --from-image=app:latest -c web` writes.
const webTrigger = `[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\"web\")].image","paused":false}]`

func TestAnnotation(t *testing.T) {
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		key         string
		err         string
	}{
		{name: "none", annotations: map[string]string{"other": "x"}},
		{name: "nil map"},
		{name: "ours", annotations: map[string]string{imagev1.TriggersAnnotation: "[]"}, key: imagev1.TriggersAnnotation},
		{name: "OpenShift's", annotations: map[string]string{imagev1.OpenShiftTriggersAnnotation: "[]"}, key: imagev1.OpenShiftTriggersAnnotation},
		{
			name:        "both, equal: ours",
			annotations: map[string]string{imagev1.TriggersAnnotation: webTrigger, imagev1.OpenShiftTriggersAnnotation: webTrigger},
			key:         imagev1.TriggersAnnotation,
		},
		{
			name:        "both, different",
			annotations: map[string]string{imagev1.TriggersAnnotation: webTrigger, imagev1.OpenShiftTriggersAnnotation: "[]"},
			err:         "annotations image.imagestreams.io/triggers and image.openshift.io/triggers are both set and differ: they are two spellings of the same triggers, keep only one of them",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, value, err := Annotation(tc.annotations)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("Annotation() error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Annotation() error = %v", err)
			}
			if key != tc.key || value != tc.annotations[tc.key] {
				t.Errorf("Annotation() = %q, %q; want %q, %q", key, value, tc.key, tc.annotations[tc.key])
			}
		})
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value string
		want  []ObjectFieldTrigger
		err   string
	}{
		{
			name:  "oc set triggers",
			value: webTrigger,
			want: []ObjectFieldTrigger{{
				From:      ObjectReference{Kind: "ImageStreamTag", Name: "app:latest"},
				FieldPath: `spec.template.spec.containers[?(@.name=="web")].image`,
			}},
		},
		{
			name:  "all fields",
			value: `[{"from":{"kind":"ImageStreamTag","name":"a:b","namespace":"shared","apiVersion":"image.imagestreams.io/v1"},"fieldPath":"f","paused":true}]`,
			want: []ObjectFieldTrigger{{
				From:      ObjectReference{Kind: "ImageStreamTag", Name: "a:b", Namespace: "shared", APIVersion: "image.imagestreams.io/v1"},
				FieldPath: "f", Paused: true,
			}},
		},
		{name: "empty list", value: "[]", want: []ObjectFieldTrigger{}},
		{name: "surrounding space", value: " [] \n", want: []ObjectFieldTrigger{}},
		{name: "empty value", value: "", err: "invalid JSON: the value is empty; the value must be a JSON list like [{"},
		{name: "not JSON", value: "app:latest", err: "invalid JSON: invalid character 'a' looking for beginning of value"},
		{name: "an object instead of a list", value: `{"from":{"kind":"ImageStreamTag","name":"a:b"}}`, err: "invalid JSON: found a JSON object instead of a list"},
		{name: "a misspelt field", value: `[{"from":{"kind":"ImageStreamTag","name":"a:b"},"feildPath":"x"}]`, err: `invalid JSON: json: unknown field "feildPath"`},
		{name: "a string for a bool", value: `[{"paused":"true"}]`, err: `invalid JSON: field "paused" must not be a JSON string`},
		{name: "trailing data", value: `[] []`, err: "invalid JSON: unexpected data after the list"},
		{name: "truncated", value: `[{"from":`, err: "invalid JSON: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.value)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("Decode() error = %v, want prefix %q", err, tc.err)
				}
				if !strings.HasSuffix(err.Error(), "; the value must be a JSON list like "+exampleValue) {
					t.Errorf("Decode() error %q does not show a valid value", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decode() = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	got, err := Parse(map[string]string{imagev1.OpenShiftTriggersAnnotation: webTrigger})
	if err != nil || len(got) != 1 || got[0].From.Name != "app:latest" {
		t.Fatalf("Parse() = %#v, %v", got, err)
	}
	if got, err := Parse(nil); got != nil || err != nil {
		t.Errorf("Parse(nil) = %#v, %v; want nil, nil", got, err)
	}
	_, err = Parse(map[string]string{imagev1.TriggersAnnotation: "{"})
	if err == nil || !strings.HasPrefix(err.Error(), "annotation image.imagestreams.io/triggers: invalid JSON: ") {
		t.Errorf("Parse() error = %v, want one naming the annotation", err)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	triggers := []ObjectFieldTrigger{{
		From:      ObjectReference{Kind: "ImageStreamTag", Name: "app:latest", Namespace: "shared"},
		FieldPath: `spec.template.spec.initContainers[0].image`, Paused: true,
	}}
	value, err := Encode(triggers)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"from":{"kind":"ImageStreamTag","name":"app:latest","namespace":"shared"},"fieldPath":"spec.template.spec.initContainers[0].image","paused":true}]`
	if value != want {
		t.Errorf("Encode() = %s, want %s", value, want)
	}
	got, err := Decode(value)
	if err != nil || !reflect.DeepEqual(got, triggers) {
		t.Errorf("Decode(Encode()) = %#v, %v", got, err)
	}
	if value, _ := Encode(nil); value != "[]" {
		t.Errorf("Encode(nil) = %s, want []", value)
	}
}
