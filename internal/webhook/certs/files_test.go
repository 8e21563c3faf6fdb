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

package certs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWritePairSwitchesBothFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "serving-certs")
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	// A regular file left by an earlier version of the operator or a volume.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"one", "two", "three"} {
		if err := writePair(certFile, keyFile, []byte(v+" cert"), []byte(v+" key")); err != nil {
			t.Fatalf("writing %s: %v", v, err)
		}
		for path, want := range map[string]string{certFile: v + " cert", keyFile: v + " key"} {
			got, err := os.ReadFile(path)
			if err != nil || string(got) != want {
				t.Fatalf("%s = %q, %v; want %q", path, got, err, want)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var versions int
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), versionPrefix) {
			versions++
		}
	}
	if versions != 1 || len(entries) != 4 {
		t.Fatalf("directory holds %d entries, %d versions; want tls.crt, tls.key, ..data and one version", len(entries), versions)
	}
	if info, err := os.Stat(filepath.Join(dir, "..data", "tls.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", info.Mode(), err)
	}
}
