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

// Package testregistry runs a real, in-process OCI distribution registry
// (go-containerregistry's pkg/registry handler) for the project's controller,
// e2e and benchmark tests.
//
// A Registry listens on 127.0.0.1 with a random port, over plain HTTP or over
// HTTPS with an in-memory CA, optionally behind basic or bearer-token
// authentication. It records every request it serves (see Requests), can
// inject faults, corrupted bodies and latency (see FailNext, CorruptNext and
// SetDelay), and offers helpers to push deterministic images and indexes (see
// PushImage and PushIndex).
package testregistry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Credentials is a username/password pair accepted by a Registry.
type Credentials struct {
	Username string
	Password string
}

// Options configures a Registry. The zero value serves anonymous plain HTTP.
type Options struct {
	// TLS serves HTTPS with a server certificate signed by an in-memory CA
	// (see Registry.CAPEM and Registry.Transport).
	TLS bool
	// BasicAuth, when set, requires HTTP basic authentication with these
	// credentials on every registry request.
	BasicAuth *Credentials
	// TokenAuth, when set, requires a bearer token on every registry request;
	// tokens are issued by the /token endpoint of the same server to clients
	// presenting these credentials. Mutually exclusive with BasicAuth.
	TokenAuth *Credentials
}

// TB is the subset of testing.TB used by New. *testing.T, *testing.B and
// Ginkgo's GinkgoT() satisfy it.
type TB interface {
	Helper()
	Cleanup(f func())
	Fatalf(format string, args ...any)
}

// Registry is a running in-process registry. Its methods are safe for
// concurrent use.
type Registry struct {
	opts      Options
	scheme    string
	host      string
	caPEM     []byte
	server    *http.Server
	transport *http.Transport
	closeOnce sync.Once
	moves     atomic.Int64

	mu       sync.Mutex
	requests []Request
	faults   []*fault
	// corruptions are pending CorruptNext faults.
	corruptions []*fault
	delay       time.Duration
	tokens      map[string]struct{}
	// inFlight and maxInFlight count recorded requests being handled.
	inFlight, maxInFlight int
}

// New starts a Registry for a test and stops it when the test ends. It calls
// t.Fatalf if the registry cannot be started.
func New(t TB, opts Options) *Registry {
	t.Helper()
	r, err := Start(opts)
	if err != nil {
		t.Fatalf("start test registry: %v", err)
		return nil
	}
	t.Cleanup(r.Close)
	return r
}

// Start starts a Registry on 127.0.0.1 with a random port. The caller must
// call Close when done with it.
func Start(opts Options) (*Registry, error) {
	if opts.BasicAuth != nil && opts.TokenAuth != nil {
		return nil, errors.New("basic and token auth are mutually exclusive")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	r := &Registry{
		opts:      opts,
		scheme:    "http",
		host:      ln.Addr().String(),
		transport: tr,
		tokens:    map[string]struct{}{},
	}
	discard := log.New(io.Discard, "", 0)
	handler := ggcrregistry.New(ggcrregistry.Logger(discard))
	r.server = &http.Server{
		Handler:           r.instrument(r.withAuth(handler)),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          discard,
	}
	if !opts.TLS {
		go func() { _ = r.server.Serve(ln) }()
		return r, nil
	}

	caPEM, cert, err := newCertificates()
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("generate certificates: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	r.server.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	r.scheme, r.caPEM = "https", caPEM
	go func() { _ = r.server.ServeTLS(ln, "", "") }()
	return r, nil
}

// Close stops the registry, dropping open connections. It is idempotent.
func (r *Registry) Close() {
	r.closeOnce.Do(func() {
		_ = r.server.Close()
		r.transport.CloseIdleConnections()
	})
}

// Host returns the registry address, "127.0.0.1:PORT", as used in image
// references.
func (r *Registry) Host() string { return r.host }

// URL returns the registry base URL, "http://127.0.0.1:PORT" or
// "https://127.0.0.1:PORT".
func (r *Registry) URL() string { return r.scheme + "://" + r.host }

// Reference returns the image reference "HOST/repo:tag".
func (r *Registry) Reference(repo, tag string) string {
	return r.host + "/" + repo + ":" + tag
}

// CAPEM returns the PEM-encoded CA certificate that signed the server
// certificate, or nil when serving plain HTTP.
func (r *Registry) CAPEM() []byte { return r.caPEM }

// Transport returns an HTTP transport that trusts the registry CA. Requests
// sent through it are recorded and subject to injected faults and delays.
func (r *Registry) Transport() http.RoundTripper { return r.transport }

// Authenticator returns the credentials configured for the registry as a
// go-containerregistry authenticator, or authn.Anonymous without auth.
func (r *Registry) Authenticator() authn.Authenticator {
	c := r.credentials()
	if c == nil {
		return authn.Anonymous
	}
	return &authn.Basic{Username: c.Username, Password: c.Password}
}

// RemoteOptions returns go-containerregistry remote options (transport and
// credentials) to talk to the registry as a regular, recorded client.
func (r *Registry) RemoteOptions() []remote.Option {
	return []remote.Option{remote.WithTransport(r.transport), remote.WithAuth(r.Authenticator())}
}

func (r *Registry) credentials() *Credentials {
	if r.opts.BasicAuth != nil {
		return r.opts.BasicAuth
	}
	return r.opts.TokenAuth
}
