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

package imagestream

import (
	"slices"
	"testing"
)

func TestPrioritizeTags(t *testing.T) {
	got := PrioritizeTags([]string{"other", "1.2.3", "v1.10", "latest", "1.9", "2.0.1-beta", "v1.10-rc1", "abc", "1.2.10", "1.x"})
	want := []string{"latest", "v1.10", "v1.10-rc1", "1.9", "2.0.1-beta", "1.2.10", "1.2.3", "1.x", "abc", "other"}
	if !slices.Equal(got, want) {
		t.Errorf("PrioritizeTags =\n %v\nwant\n %v", got, want)
	}
}
