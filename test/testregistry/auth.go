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
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const (
	// realmName is the basic-auth realm and the bearer-token service name.
	realmName = "testregistry"
	// tokenPath is the token endpoint served next to the registry in token mode.
	tokenPath = "/token"
	// tokenLifetime is the advertised lifetime of issued tokens; tokens are
	// in fact valid until the registry is closed.
	tokenLifetime = time.Hour
)

// withAuth wraps the registry handler with the authentication configured in
// the options, and serves the token endpoint in token mode.
func (r *Registry) withAuth(next http.Handler) http.Handler {
	switch {
	case r.opts.BasicAuth != nil:
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			user, pass, ok := req.BasicAuth()
			if !ok || !r.opts.BasicAuth.match(user, pass) {
				r.unauthorized(w, req)
				return
			}
			next.ServeHTTP(w, req)
		})
	case r.opts.TokenAuth != nil:
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.URL.Path == tokenPath {
				r.serveToken(w, req)
				return
			}
			tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
			if !ok || !r.validToken(tok) {
				r.unauthorized(w, req)
				return
			}
			next.ServeHTTP(w, req)
		})
	default:
		return next
	}
}

// match reports whether user and pass are the expected credentials.
func (c *Credentials) match(user, pass string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(c.Username))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(c.Password))
	return u&p == 1
}

// challenge returns the WWW-Authenticate header value for req, or "" when the
// registry is anonymous.
func (r *Registry) challenge(req *http.Request) string {
	switch {
	case r.opts.BasicAuth != nil:
		return fmt.Sprintf("Basic realm=%q", realmName)
	case r.opts.TokenAuth != nil:
		c := fmt.Sprintf("Bearer realm=%q,service=%q", r.URL()+tokenPath, realmName)
		if scope := scopeFor(req); scope != "" {
			c += fmt.Sprintf(",scope=%q", scope)
		}
		return c
	default:
		return ""
	}
}

// unauthorized writes a registry-style 401 response with the challenge.
func (r *Registry) unauthorized(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("WWW-Authenticate", r.challenge(req))
	writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
}

// scopeFor returns the token scope a real registry would ask for req, e.g.
// "repository:foo/bar:pull", or "" for the /v2/ ping.
func scopeFor(req *http.Request) string {
	p, ok := strings.CutPrefix(req.URL.Path, "/v2/")
	if !ok || p == "" {
		return ""
	}
	if p == "_catalog" {
		return "registry:catalog:*"
	}
	repo := ""
	best := -1
	for _, sep := range []string{"/manifests/", "/blobs/", "/tags/", "/referrers/"} {
		if i := strings.LastIndex(p, sep); i > best {
			best, repo = i, p[:i]
		}
	}
	if repo == "" {
		return ""
	}
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		return "repository:" + repo + ":pull"
	}
	return "repository:" + repo + ":pull,push"
}

// tokenResponse is the body returned by the token endpoint; both fields are
// set since clients read one or the other.
type tokenResponse struct {
	Token       string `json:"token"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	IssuedAt    string `json:"issued_at"`
}

// serveToken implements the token endpoint: GET with basic credentials (the
// Docker token flow) or POST with a username/password form.
func (r *Registry) serveToken(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "method not allowed")
		return
	}
	user, pass, ok := req.BasicAuth()
	if !ok && req.Method == http.MethodPost && req.ParseForm() == nil {
		user, pass = req.PostForm.Get("username"), req.PostForm.Get("password")
		ok = user != ""
	}
	if !ok || !r.opts.TokenAuth.match(user, pass) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf("Basic realm=%q", realmName))
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid credentials")
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	r.mu.Lock()
	r.tokens[tok] = struct{}{}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(tokenResponse{
		Token:       tok,
		AccessToken: tok,
		ExpiresIn:   int(tokenLifetime.Seconds()),
		IssuedAt:    time.Now().UTC().Format(time.RFC3339),
	})
}

func (r *Registry) validToken(tok string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.tokens[tok]
	return ok
}

// writeError writes a distribution-spec error body with the given status.
func writeError(w http.ResponseWriter, status int, code, message string) {
	type errorInfo struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Errors []errorInfo `json:"errors"`
	}{Errors: []errorInfo{{Code: code, Message: message}}})
}
