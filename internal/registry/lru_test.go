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

import "testing"

func TestLRU(t *testing.T) {
	c := newLRU[string, int](2)
	c.add("a", 1)
	c.add("b", 2)
	if v, ok := c.get("a"); !ok || v != 1 { // a becomes the most recently used
		t.Fatalf("get a = %d, %v", v, ok)
	}
	c.add("c", 3) // evicts b
	if _, ok := c.get("b"); ok {
		t.Errorf("b was not evicted")
	}
	if v, ok := c.get("a"); !ok || v != 1 {
		t.Errorf("a was evicted")
	}
	c.add("c", 4)
	if v, _ := c.get("c"); v != 4 || c.len() != 2 {
		t.Errorf("update: c = %d, len %d", v, c.len())
	}
	c.remove("c")
	if _, ok := c.get("c"); ok || c.len() != 1 {
		t.Errorf("remove: c still cached, len %d", c.len())
	}
}
