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
	"net/http"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

func TestImportCredentials(t *testing.T) {
	basic := testregistry.Options{BasicAuth: goodCreds}
	token := testregistry.Options{TokenAuth: goodCreds}
	const good, wrong = "alice:s3cret", "alice:wrong"
	tests := []struct {
		name    string
		opts    testregistry.Options
		secrets func(t *testing.T, host string) []corev1.Secret
		reason  string // "" for success
		message string
	}{
		{name: "basic, dockerconfigjson", opts: basic, secrets: func(t *testing.T, host string) []corev1.Secret {
			return []corev1.Secret{dockerConfigJSONSecret(t, "pull", map[string]string{host: good})}
		}},
		{name: "token, dockerconfigjson", opts: token, secrets: func(t *testing.T, host string) []corev1.Secret {
			return []corev1.Secret{dockerConfigJSONSecret(t, "pull", map[string]string{host: good})}
		}},
		{name: "basic, dockercfg", opts: basic, secrets: func(t *testing.T, host string) []corev1.Secret {
			return []corev1.Secret{dockercfgSecret(t, "pull", map[string]string{"https://" + host: good})}
		}},
		{name: "token, dockercfg", opts: token, secrets: func(t *testing.T, host string) []corev1.Secret {
			return []corev1.Secret{dockercfgSecret(t, "pull", map[string]string{host: good})}
		}},
		{name: "basic, path entry beats a wrong host entry", opts: basic,
			secrets: func(t *testing.T, host string) []corev1.Secret {
				return []corev1.Secret{
					dockerConfigJSONSecret(t, "a-host-wide", map[string]string{host: wrong}),
					dockerConfigJSONSecret(t, "b-team", map[string]string{host + "/team/app": good}),
				}
			}},
		{name: "token, path entry beats a wrong host entry in the same secret", opts: token,
			secrets: func(t *testing.T, host string) []corev1.Secret {
				return []corev1.Secret{dockerConfigJSONSecret(t, "pull",
					map[string]string{host: wrong, host + "/team": good})}
			}},
		{name: "basic, wrong password", opts: basic, reason: ReasonUnauthorized,
			message: `incorrect username or password for image "HOST/team/app:v1"`,
			secrets: func(t *testing.T, host string) []corev1.Secret {
				return []corev1.Secret{dockerConfigJSONSecret(t, "pull", map[string]string{host: wrong})}
			}},
		{name: "token, wrong password", opts: token, reason: ReasonUnauthorized,
			message: `incorrect username or password for image "HOST/team/app:v1"`,
			secrets: func(t *testing.T, host string) []corev1.Secret {
				return []corev1.Secret{dockerConfigJSONSecret(t, "pull", map[string]string{host: wrong})}
			}},
		{name: "basic, no secret", opts: basic, reason: ReasonUnauthorized,
			message: `you may not have access to the container image "HOST/team/app:v1"`,
			secrets: func(*testing.T, string) []corev1.Secret { return nil }},
		{name: "token, excluded secret", opts: token, reason: ReasonUnauthorized,
			message: `you may not have access to the container image "HOST/team/app:v1"`,
			secrets: func(t *testing.T, host string) []corev1.Secret {
				s := dockerConfigJSONSecret(t, "pull", map[string]string{host: good})
				s.Annotations = map[string]string{ExcludeSecretAnnotation: "true"}
				o := dockercfgSecret(t, "other", map[string]string{host: good})
				o.Annotations = map[string]string{OpenShiftExcludeSecretAnnotation: "true"}
				return []corev1.Secret{s, o}
			}},
		{name: "public image with a wrong secret", opts: testregistry.Options{},
			secrets: func(t *testing.T, host string) []corev1.Secret {
				return []corev1.Secret{dockerConfigJSONSecret(t, "pull", map[string]string{host: wrong})}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := testregistry.New(t, tc.opts)
			want := push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
			req := tagRequest(reg, "team/app", "v1")
			req.Keychain = KeychainFromSecrets(tc.secrets(t, reg.Host()))
			res, err := newTestImporter(nil).Import(t.Context(), req)
			if tc.reason != "" {
				message := strings.ReplaceAll(tc.message, "HOST", reg.Host())
				e := requireError(t, err, tc.reason, message)
				if strings.Contains(e.Message, "s3cret") || strings.Contains(e.Message, "wrong") {
					t.Errorf("message %q leaks a password", e.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Digest != want.String() || res.Image == nil {
				t.Errorf("result %+v: want %s", res, want)
			}
		})
	}
}

// A registry refusing the credentials of a public image is retried anonymously.
func TestImportRetriesAnonymously(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	want := push(t, reg, "team/app", "v1", testregistry.ImageSpec{})
	req := tagRequest(reg, "team/app", "v1")
	req.Keychain = KeychainFromSecrets([]corev1.Secret{
		dockerConfigJSONSecret(t, "pull", map[string]string{reg.Host(): "bob:expired"})})
	reg.FailNext(http.MethodHead, "/manifests/v1", http.StatusUnauthorized, 1)
	res, err := newTestImporter(nil).Import(t.Context(), req)
	if err != nil || res.Digest != want.String() {
		t.Fatalf("import: %+v, %v: want %s after an anonymous retry", res, err, want)
	}
	if reg.Count(http.MethodHead, "/manifests/v1") != 2 {
		t.Errorf("requests %+v: want a refused HEAD then an anonymous one", reg.Requests())
	}

	// When the anonymous attempt fails too, the credentialed error is reported.
	reg.FailNext(http.MethodHead, "/manifests/v1", http.StatusUnauthorized, 1)
	reg.FailNext(http.MethodHead, "/manifests/v1", http.StatusNotFound, 1)
	_, err = newTestImporter(nil).Import(t.Context(), req)
	requireError(t, err, ReasonUnauthorized, "incorrect username or password")
}
