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

import (
	"errors"
	"testing"
)

// splitCase is one input of a name-splitting function and its expected
// result; a non-nil err (or a non-empty errMsg) means an error is expected.
type splitCase struct {
	input         string
	first, second string
	err           error
	errMsg        string
}

// runSplitCases checks a name-splitting function against cases.
func runSplitCases(t *testing.T, split func(string) (string, string, error), cases []splitCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.input, func(t *testing.T) {
			first, second, err := split(tt.input)
			if tt.err == nil && tt.errMsg == "" {
				if err != nil {
					t.Fatalf("split(%q) error: %v", tt.input, err)
				}
				if first != tt.first || second != tt.second {
					t.Fatalf("split(%q) = %q, %q, want %q, %q", tt.input, first, second, tt.first, tt.second)
				}
				return
			}
			if err == nil {
				t.Fatalf("split(%q) = %q, %q, want an error", tt.input, first, second)
			}
			if tt.err != nil && (!errors.Is(err, tt.err) || err.Error() != tt.err.Error()) {
				t.Errorf("split(%q) error = %q, want %q", tt.input, err, tt.err)
			}
			if tt.errMsg != "" && err.Error() != tt.errMsg {
				t.Errorf("split(%q) error = %q, want %q", tt.input, err, tt.errMsg)
			}
			if first != "" || second != "" {
				t.Errorf("split(%q) returned %q, %q with an error", tt.input, first, second)
			}
		})
	}
}

func TestParseImageStreamTagName(t *testing.T) {
	runSplitCases(t, ParseImageStreamTagName, []splitCase{
		{input: "ruby:2.7", first: "ruby", second: "2.7"},
		{input: "my-app:latest", first: "my-app", second: "latest"},
		{input: "ruby", err: ErrInvalidImageStreamTagName},
		{input: "ruby:a:b", err: ErrInvalidImageStreamTagName},
		{input: ":latest", err: ErrInvalidImageStreamTagName},
		{input: "ruby:", err: ErrInvalidImageStreamTagName},
		{input: "", err: ErrInvalidImageStreamTagName},
		{input: "ruby@" + sha256ID, errMsg: `"ruby@` + sha256ID + `" is an image stream image, not an image stream tag`},
		{input: "ruby:2.7@x", errMsg: `"ruby:2.7@x" is an image stream image, not an image stream tag`},
	})
}

func TestParseImageStreamImageName(t *testing.T) {
	runSplitCases(t, ParseImageStreamImageName, []splitCase{
		{input: "ruby@" + sha256ID, first: "ruby", second: sha256ID},
		{input: "ruby@0123abc", first: "ruby", second: "0123abc"},
		{input: "ruby", err: ErrInvalidImageStreamImageName},
		{input: "ruby:2.7", err: ErrInvalidImageStreamImageName},
		{input: "ruby@a@b", err: ErrInvalidImageStreamImageName},
		{input: "@" + sha256ID, err: ErrInvalidImageStreamImageName},
		{input: "ruby@", err: ErrInvalidImageStreamImageName},
		{input: "", err: ErrInvalidImageStreamImageName},
	})
}

func TestSplitTagReference(t *testing.T) {
	runSplitCases(t, SplitTagReference, []splitCase{
		{input: "latest", first: "", second: "latest"},
		{input: "other:v1", first: "other", second: "v1"},
		{input: "", err: ErrInvalidFromReference},
		{input: "a:b:c", err: ErrInvalidFromReference},
		{input: "a@" + sha256ID, err: ErrInvalidFromReference},
		{input: "a@b", err: ErrInvalidFromReference},
		{input: ":v1", err: ErrInvalidFromReference},
		{input: "other:", err: ErrInvalidFromReference},
	})
}

func TestSplitImageReference(t *testing.T) {
	runSplitCases(t, SplitImageReference, []splitCase{
		{input: sha256ID, first: "", second: sha256ID},
		{input: "0123abc", first: "", second: "0123abc"},
		{input: "other@" + sha256ID, first: "other", second: sha256ID},
		{input: "", err: ErrInvalidFromReference},
		{input: "a@b@c", err: ErrInvalidFromReference},
		{input: "a:b@" + sha256ID, err: ErrInvalidFromReference},
		{input: "a:b@c", err: ErrInvalidFromReference},
		{input: "sha256:a:b", err: ErrInvalidFromReference},
		{input: "@" + sha256ID, err: ErrInvalidFromReference},
		{input: "other@", err: ErrInvalidFromReference},
	})
}
