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

import (
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

func TestImportValidatesRequests(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name    string
		req     Request
		message string
	}{
		{"no registry", Request{Repository: "app", Tag: "v1"}, "both a registry and a repository are required"},
		{"bad repository", Request{Registry: "quay.io", Repository: "Team/App", Tag: "v1"}, `invalid repository "quay.io/Team/App"`},
		{"tag and digest", Request{Registry: "quay.io", Repository: "app", Tag: "v1", Digest: digest}, "exactly one of a tag and a digest"},
		{"neither tag nor digest", Request{Registry: "quay.io", Repository: "app"}, "exactly one of a tag and a digest"},
		{"bad tag", Request{Registry: "quay.io", Repository: "app", Tag: "-v1"}, "invalid tag"},
		{"bad digest", Request{Registry: "quay.io", Repository: "app", Digest: "sha256:xyz"}, "invalid digest"},
		{"bad mode", Request{Registry: "quay.io", Repository: "app", Tag: "v1", Mode: "Copy"},
			"valid modes are '', 'Legacy', 'PreserveOriginal'"},
	}
	imp := newTestImporter(nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := imp.Import(t.Context(), tc.req)
			requireError(t, err, ReasonBadRequest, tc.message)
		})
	}
}

// Imports of the same and different images share one Importer safely (run with -race).
func TestImportConcurrently(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{TokenAuth: goodCreds})
	single := push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
	list, children := pushIndex(t, reg, "multi/app", "latest", testregistry.DockerSchema2)
	kc := KeychainFromSecrets([]corev1.Secret{
		dockerConfigJSONSecret(t, "pull", map[string]string{reg.Host(): "alice:s3cret"})})
	imp := newTestImporter(nil)
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 24 {
		wg.Go(func() {
			req := tagRequest(reg, "team/app", "v1")
			want := single.String()
			switch i % 3 {
			case 1:
				req = tagRequest(reg, "multi/app", "latest")
				want = children["linux/amd64"].String()
			case 2:
				req = tagRequest(reg, "multi/app", "latest")
				req.Mode = imagev1.ImportModePreserveOriginal
				want = list.String()
			}
			req.Keychain = kc
			res, err := imp.Import(t.Context(), req)
			if err == nil && res.Digest != want {
				err = &Error{Message: "digest " + res.Digest + ", want " + want}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent import: %v", err)
		}
	}
}
