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
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// resolveUser returns the username the keychain picks for an image reference, "" for
// anonymous.
func resolveUser(t *testing.T, kc authn.Keychain, image string) string {
	t.Helper()
	repo, err := name.NewRepository(image)
	if err != nil {
		t.Fatalf("parse %s: %v", image, err)
	}
	auth, err := kc.Resolve(repo)
	if err != nil {
		t.Fatalf("resolve %s: %v", image, err)
	}
	if auth == authn.Anonymous {
		return ""
	}
	cfg, err := authn.Authorization(t.Context(), auth)
	if err != nil {
		t.Fatalf("authorization: %v", err)
	}
	if cfg.IdentityToken != "" {
		return "token:" + cfg.IdentityToken
	}
	return cfg.Username
}

func TestKeychainMatching(t *testing.T) {
	kc := KeychainFromSecrets([]corev1.Secret{
		dockerConfigJSONSecret(t, "quay", map[string]string{
			"quay.io":                     "host:x",
			"quay.io/org":                 "org:x",
			"quay.io/org/repo":            "repo:x",
			"registry.example.com:443":    "port443:x",
			"mirror.example.com":          "mirror:x",
			"plain.example.com:80":        "port80:x",
			"https://index.docker.io/v1/": "hub:x",
			"*.apps.example.com":          "wildcard:x",
			"team.apps.example.com/exact": "exact:x",
		}),
	})
	tests := []struct {
		image, want string
	}{
		{"quay.io/org/repo", "repo"},
		{"quay.io/org/repo/sub", "repo"},
		{"quay.io/org/repository", "org"},
		{"quay.io/org/other", "org"},
		{"quay.io/another/repo", "host"},
		{"quay.io:443/org/other", "org"},
		{"registry.example.com/app", "port443"},
		{"registry.example.com:443/app", "port443"},
		{"mirror.example.com:443/app", "mirror"},
		{"mirror.example.com:80/app", ""},
		{"mirror.example.com:5000/app", ""},
		{"plain.example.com/app", ""},
		{"plain.example.com:80/app", "port80"},
		{"docker.io/library/busybox", "hub"},
		{"busybox", "hub"},
		{"index.docker.io/library/busybox", "hub"},
		{"registry-1.docker.io/library/busybox", "hub"},
		{"team.apps.example.com/app", "wildcard"},
		{"team.apps.example.com/exact/app", "exact"},
		{"a.b.apps.example.com/app", ""},
		{"gcr.io/project/app", ""},
	}
	for _, tc := range tests {
		got := resolveUser(t, kc, tc.image)
		if got != tc.want {
			t.Errorf("%s: user %q, want %q", tc.image, got, tc.want)
		}
	}
}

func TestKeychainSecrets(t *testing.T) {
	configJSON := func(name, auths string) corev1.Secret {
		return corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, Type: corev1.SecretTypeDockerConfigJson,
			Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":` + auths + `}`)}}
	}
	excluded := func(s corev1.Secret, key string) corev1.Secret {
		s.Annotations = map[string]string{key: "true"}
		return s
	}
	tests := []struct {
		name    string
		secrets []corev1.Secret
		want    string
	}{
		{name: "ties go to the first secret name", want: "a", secrets: []corev1.Secret{
			configJSON("b-secret", `{"quay.io":{"username":"b","password":"x"}}`),
			configJSON("a-secret", `{"quay.io":{"username":"a","password":"x"}}`),
		}},
		{name: "username and password fields", want: "u", secrets: []corev1.Secret{
			configJSON("s", `{"quay.io":{"username":"u","password":"p"}}`)}},
		{name: "auth wins over username", want: "from-auth", secrets: []corev1.Secret{
			configJSON("s", fmt.Sprintf(`{"quay.io":{"auth":%q,"username":"u","password":"p"}}`, b64("from-auth:p")))}},
		{name: "identity token", want: "token:refresh", secrets: []corev1.Secret{
			configJSON("s", `{"quay.io":{"identitytoken":"refresh"}}`)}},
		{name: "dockercfg", want: "cfg", secrets: []corev1.Secret{{
			ObjectMeta: metav1.ObjectMeta{Name: "s"}, Type: corev1.SecretTypeDockercfg,
			Data: map[string][]byte{corev1.DockerConfigKey: []byte(`{"https://quay.io":{"auth":"` + b64("cfg:p") + `"}}`)},
		}}},
		{name: "excluded secrets", want: "kept", secrets: []corev1.Secret{
			excluded(configJSON("a", `{"quay.io/org":{"username":"excluded","password":"p"}}`), ExcludeSecretAnnotation),
			excluded(configJSON("b", `{"quay.io/org":{"username":"excluded","password":"p"}}`),
				OpenShiftExcludeSecretAnnotation),
			configJSON("c", `{"quay.io":{"username":"kept","password":"p"}}`),
		}},
		{name: "other types and malformed secrets", want: "", secrets: []corev1.Secret{
			{ObjectMeta: metav1.ObjectMeta{Name: "opaque"}, Type: corev1.SecretTypeOpaque,
				Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{"quay.io":{"username":"o","password":"p"}}}`)}},
			configJSON("broken", `{"quay.io":`),
			configJSON("empty-entry", `{"quay.io":{}}`),
			configJSON("bad-auth", `{"quay.io":{"auth":"not base64!"}}`),
		}},
		{name: "no secrets", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolveUser(t, KeychainFromSecrets(tc.secrets), "quay.io/org/app"); got != tc.want {
				t.Errorf("user %q, want %q", got, tc.want)
			}
		})
	}
}

func TestKeychainDoesNotPrintCredentials(t *testing.T) {
	kc := KeychainFromSecrets([]corev1.Secret{dockerConfigJSONSecret(t, "s", map[string]string{"quay.io": "user:hunter2"})})
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, kc); strings.Contains(out, "hunter2") || strings.Contains(out, b64("user:hunter2")) {
			t.Errorf("%s of the keychain prints the password: %s", format, out)
		}
	}
}

func TestParseRegistryKey(t *testing.T) {
	tests := []struct{ key, host, path string }{
		{"quay.io", "quay.io", ""},
		{"Quay.IO:443", "quay.io", ""},
		{"quay.io/org/repo/", "quay.io", "org/repo"},
		{"https://quay.io/v1/", "quay.io", ""},
		{"http://localhost:5000/v2/", "localhost:5000", ""},
		{"https://index.docker.io/v1/", "docker.io", ""},
		{"registry-1.docker.io/library", "docker.io", "library"},
		{"quay.io/v1", "quay.io", "v1"},
		{"[::1]:443/app", "[::1]", "app"},
	}
	for _, tc := range tests {
		host, path, ok := parseRegistryKey(tc.key)
		if !ok || host != tc.host || path != tc.path {
			t.Errorf("parseRegistryKey(%q) = %q, %q, %v; want %q, %q", tc.key, host, path, ok, tc.host, tc.path)
		}
	}
	if _, _, ok := parseRegistryKey("ftp://quay.io"); ok {
		t.Errorf("parseRegistryKey accepted an ftp URL")
	}
}
