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

// Package testenv starts the project's hermetic control plane for tests: a real etcd and
// kube-apiserver (and, on request, kube-controller-manager) built from Go modules into bin/
// by `make controlplane`, with the project's CRDs installed. Nothing is downloaded.
package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"

	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// RepoRoot is the absolute path of the repository, found from this source file.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// BinDir is where the control-plane binaries are: $KUBEBUILDER_ASSETS when set (the
// Makefile sets it), else the repository's bin/.
func BinDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	return filepath.Join(RepoRoot(), "bin")
}

// New returns an environment with the project's CRDs, not yet started. It fails early with
// the command to run when the control-plane binaries have not been built.
func New() (*envtest.Environment, error) {
	if err := imagev1.AddToScheme(scheme.Scheme); err != nil {
		return nil, fmt.Errorf("registering the image.imagestreams.io/v1 types: %w", err)
	}
	dir := BinDir()
	for _, bin := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%s not found in %s: run `make controlplane` once to build it from Go modules", bin, dir)
			}
			return nil, fmt.Errorf("checking %s: %w", bin, err)
		}
	}
	return &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: dir,
	}, nil
}

// FreeAddress returns a loopback address with a port that was free a moment ago, for a
// server a test starts after it has told others where to find it.
func FreeAddress() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
