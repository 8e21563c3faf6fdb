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

package testregistry

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func testAuth(t *testing.T, reg *Registry) {
	if _, err := reg.PushImage("auth/app", "v1", ImageSpec{}); err != nil {
		t.Fatalf("push: %v", err)
	}
	r := ref(t, reg, "auth/app", "v1")
	anonymous := []remote.Option{remote.WithTransport(reg.Transport())}
	wrongPassword := append(slices.Clone(anonymous), remote.WithAuth(&authn.Basic{Username: "alice", Password: "no"}))
	pingStatus, pingHeader := do(t, reg, http.MethodGet, "/v2/", "")
	_, manifestHeader := do(t, reg, http.MethodHead, "/v2/auth/app/manifests/v1", "")

	switch {
	case reg.opts.BasicAuth != nil:
		if want := `Basic realm="testregistry"`; pingStatus != http.StatusUnauthorized || pingHeader != want {
			t.Errorf("ping: %d %q, want 401 %q", pingStatus, pingHeader, want)
		}
	case reg.opts.TokenAuth != nil:
		want := `Bearer realm="` + reg.URL() + `/token",service="testregistry"`
		if pingStatus != http.StatusUnauthorized || pingHeader != want {
			t.Errorf("ping: %d %q, want 401 %q", pingStatus, pingHeader, want)
		}
		if want += `,scope="repository:auth/app:pull"`; manifestHeader != want {
			t.Errorf("manifest challenge %q, want %q", manifestHeader, want)
		}
		testTokenEndpoint(t, reg)
	default:
		if pingStatus != http.StatusOK {
			t.Errorf("anonymous ping: %d, want 200", pingStatus)
		}
		if _, err := remote.Head(r, anonymous...); err != nil {
			t.Errorf("anonymous head: %v", err)
		}
		return
	}
	for _, opts := range [][]remote.Option{anonymous, wrongPassword} {
		_, err := remote.Head(r, opts...)
		if terr := (*transport.Error)(nil); !errors.As(err, &terr) || terr.StatusCode != http.StatusUnauthorized {
			t.Errorf("unauthorized head: got %v, want a 401 error", err)
		}
	}
}

func testTokenEndpoint(t *testing.T, reg *Registry) {
	client := &http.Client{Transport: reg.Transport()}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet,
		reg.URL()+"/token?service=testregistry&scope=repository:auth/app:pull", nil)
	req.SetBasicAuth(testCreds.Username, testCreds.Password)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var tok tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK ||
		tok.Token == "" || tok.AccessToken != tok.Token {
		t.Fatalf("token response %d %+v (err %v)", resp.StatusCode, tok, err)
	}
	if status, _ := do(t, reg, http.MethodGet, "/v2/", "Bearer "+tok.Token); status != http.StatusOK {
		t.Errorf("ping with token: %d, want 200", status)
	}
	if status, _ := do(t, reg, http.MethodGet, "/token", ""); status != http.StatusUnauthorized {
		t.Errorf("anonymous token request: %d, want 401", status)
	}
}
