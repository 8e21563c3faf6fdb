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
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

var (
	goodCreds = &testregistry.Credentials{Username: "alice", Password: "s3cret"}
	linuxAMD  = Platform{OS: "linux", Architecture: "amd64"}
)

// newTestImporter returns an Importer with a fixed control-plane platform, a generous
// timeout and no request rate limit (tests send bursts to one registry), adjusted by
// mutate.
func newTestImporter(mutate func(*Options)) *Importer {
	opts := Options{ControlPlanePlatform: linuxAMD, RequestTimeout: 20 * time.Second, RegistryQPS: -1}
	if mutate != nil {
		mutate(&opts)
	}
	return NewImporter(opts)
}

// push pushes an image and returns its digest.
func push(t *testing.T, reg *testregistry.Registry, repo, tag string, spec testregistry.ImageSpec) v1.Hash {
	t.Helper()
	d, err := reg.PushImage(repo, tag, spec)
	if err != nil {
		t.Fatalf("push %s:%s: %v", repo, tag, err)
	}
	return d
}

// pushIndex pushes a manifest list and returns its digest and child digests by platform.
func pushIndex(t *testing.T, reg *testregistry.Registry, repo, tag string, mt testregistry.MediaType,
	platforms ...testregistry.Platform) (v1.Hash, map[string]v1.Hash) {
	t.Helper()
	d, children, err := reg.PushIndex(repo, tag, mt, platforms...)
	if err != nil {
		t.Fatalf("push index %s:%s: %v", repo, tag, err)
	}
	return d, children
}

// tagRequest returns an insecure (plain HTTP) request for repo:tag on reg.
func tagRequest(reg *testregistry.Registry, repo, tag string) Request {
	return Request{Registry: reg.Host(), Repository: repo, Tag: tag, Insecure: true}
}

// known returns a Known function holding digests.
func known(digests ...v1.Hash) func(string) bool {
	set := map[string]bool{}
	for _, d := range digests {
		set[d.String()] = true
	}
	return func(d string) bool { return set[d] }
}

// requireError checks that err is an *Error with reason and a message containing want.
func requireError(t *testing.T, err error, reason, want string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T): want an *Error with reason %s", err, err, reason)
	}
	t.Logf("%s: %s", e.Reason, e.Message)
	if e.Reason != reason || !strings.Contains(e.Message, want) {
		t.Fatalf("error {%s %q}: want reason %s and a message containing %q", e.Reason, e.Message, reason, want)
	}
	return e
}

// countRequests returns the recorded HEAD and GET manifest requests and GET blob requests.
func countRequests(reg *testregistry.Registry) (headManifests, getManifests, getBlobs int) {
	return reg.Count("HEAD", "/manifests/"), reg.Count("GET", "/manifests/"), reg.Count("GET", "/blobs/")
}

// dockerConfigJSONSecret returns a kubernetes.io/dockerconfigjson secret with one entry per
// key of auths (registry key → "user:password").
func dockerConfigJSONSecret(t *testing.T, name string, auths map[string]string) corev1.Secret {
	t.Helper()
	entries := map[string]map[string]string{}
	for key, userPass := range auths {
		entries[key] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(userPass))}
	}
	raw, err := json.Marshal(map[string]any{"auths": entries})
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: raw},
	}
}

// dockercfgSecret returns a kubernetes.io/dockercfg secret with username/password entries.
func dockercfgSecret(t *testing.T, name string, auths map[string]string) corev1.Secret {
	t.Helper()
	entries := map[string]map[string]string{}
	for key, userPass := range auths {
		user, pass, _ := strings.Cut(userPass, ":")
		entries[key] = map[string]string{"username": user, "password": pass, "email": "a@example.com"}
	}
	raw, err := json.Marshal(entries)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
		Type:       corev1.SecretTypeDockercfg,
		Data:       map[string][]byte{corev1.DockerConfigKey: raw},
	}
}

// b64 returns the standard base64 encoding of s.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
