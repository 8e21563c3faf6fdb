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
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

const (
	// challengeTTL is how long a registry's answer to the /v2/ ping (its authentication
	// scheme and whether it speaks HTTPS) is reused before pinging again.
	challengeTTL = 10 * time.Minute
	// challengeCacheSize bounds the number of registries whose ping answer is kept.
	challengeCacheSize = 1024
)

// challengeKey identifies a cached ping answer.
type challengeKey struct {
	registry string
	insecure bool
}

// cachedChallenge is a ping answer and when it stops being reused.
type cachedChallenge struct {
	challenge *transport.Challenge
	expires   time.Time
}

// target is a validated repository to talk to.
type target struct {
	registry   name.Registry
	repository name.Repository
	insecure   bool
	// host is the registry as requested, e.g. "docker.io" or "127.0.0.1:5000".
	host string
	// display is "<registry>/<repository>" as requested, the prefix of references.
	display string
	// mirror is, for a mirror of the requested repository, its "<registry>/<repository>".
	mirror string
}

func (t target) challengeKey() challengeKey {
	return challengeKey{registry: t.registry.RegistryStr(), insecure: t.insecure}
}

// newTarget validates a registry and repository.
func newTarget(registry, repository string, insecure bool) (target, error) {
	display := registry + "/" + repository
	if registry == "" || repository == "" {
		return target{}, badRequest("invalid repository %q: both a registry and a repository are required", display)
	}
	opts := []name.Option{name.StrictValidation}
	if insecure {
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(display, opts...)
	if err != nil {
		e := badRequest("invalid repository %q: %v", display, err)
		e.Err = err
		return target{}, e
	}
	return target{registry: repo.Registry, repository: repo, insecure: insecure, host: registry, display: display}, nil
}

// session is an authenticated HTTP client for one repository.
type session struct {
	client *http.Client
	// base is "<scheme>://<host>/v2/<repository>".
	base string
}

// openSession pings the registry (or reuses a recent ping answer), obtains a bearer
// token when the registry asks for one, and returns a client for the repository.
func (i *Importer) openSession(ctx context.Context, t target, auth authn.Authenticator) (*session, error) {
	base := i.secure
	if t.insecure {
		base = i.insecure
	}
	ch, err := i.challenge(ctx, t, base)
	if err != nil {
		return nil, err
	}
	tok := &transport.Token{}
	if strings.EqualFold(ch.Scheme, "bearer") {
		cfg, err := authn.Authorization(ctx, auth)
		if err != nil {
			return nil, fmt.Errorf("reading credentials: %w", err)
		}
		if cfg.RegistryToken != "" {
			tok.Token = cfg.RegistryToken
		} else if tok, err = transport.Exchange(ctx, t.registry, auth, base,
			[]string{t.repository.Scope(transport.PullScope)}, ch); err != nil {
			return nil, fmt.Errorf("obtaining a registry token: %w", err)
		}
	}
	rt, err := transport.FromToken(t.registry, auth, base, ch, tok)
	if err != nil {
		return nil, fmt.Errorf("setting up registry authentication: %w", err)
	}
	scheme := "https"
	if ch.Insecure {
		scheme = "http"
	}
	return &session{
		client: &http.Client{Transport: rt},
		base:   fmt.Sprintf("%s://%s/v2/%s", scheme, t.registry.RegistryStr(), t.repository.RepositoryStr()),
	}, nil
}

// challenge returns the registry's ping answer, from the cache when recent.
func (i *Importer) challenge(ctx context.Context, t target, base http.RoundTripper) (*transport.Challenge, error) {
	key := t.challengeKey()
	if c, ok := i.challenges.get(key); ok && i.now().Before(c.expires) {
		return c.challenge, nil
	}
	// Without the insecure flag the registry name carries no insecure option, but
	// go-containerregistry still tries plain HTTP for loopback and RFC 1918 hosts; the
	// secure transport refuses that attempt, so only HTTPS can succeed.
	ch, err := transport.Ping(ctx, t.registry, base)
	if err != nil {
		return nil, fmt.Errorf("pinging the registry: %w", err)
	}
	i.challenges.add(key, cachedChallenge{challenge: ch, expires: i.now().Add(challengeTTL)})
	return ch, nil
}

// forgetChallenge drops the cached ping answer of a registry after a failure, so that
// the next import pings again (the registry may have changed its authentication).
func (i *Importer) forgetChallenge(t target) {
	i.challenges.remove(t.challengeKey())
}

// do sends a request for a path under the repository and returns the response when it
// is 200 OK, a *transport.Error otherwise. The caller closes the body.
func (s *session) do(ctx context.Context, method, path, accept string) (*http.Response, error) {
	return s.doURL(ctx, method, s.base+path, accept)
}

// doURL is do for a full URL.
func (s *session) doURL(ctx context.Context, method, url, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer func() { _ = resp.Body.Close() }()
		return nil, transport.CheckError(resp, http.StatusOK)
	}
	return resp, nil
}
