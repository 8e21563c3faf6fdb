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
	"strconv"
	"strings"
)

// PrioritizeTags orders the tags of a repository for a bulk import the way OpenShift does:
// `latest` first, then minor versions (`5.1`, `v5.1`, `v5.1-rc1`) newest first, then full
// versions (`5.1.3`, `5.1.3-other`) newest first, then everything else in lexical order.
// It returns a new slice.
func PrioritizeTags(tags []string) []string {
	type ranked struct {
		tag     string
		class   int
		version []int
	}
	items := make([]ranked, 0, len(tags))
	for _, t := range tags {
		item := ranked{tag: t, class: 3}
		if t == "latest" {
			item.class = 0
		} else if v, ok := versionOf(t); ok && len(v) == 2 {
			item.class, item.version = 1, v
		} else if ok && len(v) == 3 {
			item.class, item.version = 2, v
		}
		items = append(items, item)
	}
	slices.SortStableFunc(items, func(a, b ranked) int {
		if a.class != b.class {
			return a.class - b.class
		}
		if c := slices.Compare(b.version, a.version); c != 0 {
			return c
		}
		return strings.Compare(a.tag, b.tag)
	})
	out := make([]string, len(items))
	for i, item := range items {
		out[i] = item.tag
	}
	return out
}

// versionOf parses `[v]MAJOR.MINOR[.PATCH][-suffix]` into its numbers.
func versionOf(tag string) ([]int, bool) {
	core, _, _ := strings.Cut(strings.TrimPrefix(tag, "v"), "-")
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, false
	}
	version := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || p[0] == '+' {
			return nil, false
		}
		version[i] = n
	}
	return version, true
}
