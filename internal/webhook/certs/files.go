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
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// versionPrefix names the directories that hold one version of the certificate files.
const versionPrefix = "..certs-"

// writePair makes certFile and keyFile, in one directory, hold certPEM and keyPEM, switching
// both at once as the kubelet does for Secret volumes: the two names are symbolic links into
// "..data", itself a link to the directory of the current version, which one rename
// replaces. A reader (the certificate watcher) never pairs a certificate with the other
// version's key.
func writePair(certFile, keyFile string, certPEM, keyPEM []byte) (err error) {
	dir := filepath.Dir(certFile)
	if filepath.Dir(keyFile) != dir {
		return errors.New("the certificate and key files must be in the same directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	version, err := os.MkdirTemp(dir, versionPrefix)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(version)
		}
	}()
	for name, data := range map[string][]byte{filepath.Base(certFile): certPEM, filepath.Base(keyFile): keyPEM} {
		if err := os.WriteFile(filepath.Join(version, name), data, 0o600); err != nil {
			return err
		}
	}
	if err := replaceSymlink(filepath.Base(version), filepath.Join(dir, "..data")); err != nil {
		return err
	}
	for _, path := range []string{keyFile, certFile} {
		target := filepath.Join("..data", filepath.Base(path))
		if cur, err := os.Readlink(path); err == nil && cur == target {
			continue
		}
		if err := replaceSymlink(target, path); err != nil {
			return err
		}
	}
	// Older versions go last: removing them tells the watcher to read the new files.
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), versionPrefix) && e.Name() != filepath.Base(version) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// replaceSymlink points path at target, atomically.
func replaceSymlink(target, path string) error {
	tmp := path + ".tmp"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
