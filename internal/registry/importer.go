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

// Package registry imports image metadata from container registries for image streams.
//
// An Importer resolves a tag or digest with a HEAD request, fetches a manifest and its
// config only for digests the caller does not already hold, verifies every digest,
// enforces size limits and timeouts, chooses from manifest lists as OpenShift does, and
// maps failures to OpenShift's reasons and messages (see Error). Credentials come from a
// go-containerregistry keychain, usually KeychainFromSecrets, and never appear in
// errors. A registry Policy (Options.AllowedRegistries and BlockedRegistries) decides
// which registries imports may reach, and requests are rate-limited and capped per
// registry host (Options.RegistryQPS and MaxConcurrentRequestsPerRegistry).
package registry

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// tagPattern is the tag grammar of the distribution reference.
var tagPattern = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)

// Importer fetches image metadata from registries. It is safe for concurrent use; its
// HTTP transports, ping answers and manifest-list choices are shared by all imports.
type Importer struct {
	opts       Options
	policy     *Policy
	policyErr  error // the patterns of Options do not parse: every registry is refused
	secure     http.RoundTripper
	insecure   http.RoundTripper
	lists      *lru[listKey, v1.Descriptor]
	challenges *lru[challengeKey, cachedChallenge]
	now        func() time.Time
	// tagPageSize is the n parameter of tag list requests; 0 lets the registry choose.
	tagPageSize int
}

// NewImporter returns an Importer; unset options take their defaults. When the registry
// patterns of opts are invalid (see Options.Validate) the Importer refuses every import.
func NewImporter(opts Options) *Importer {
	opts = opts.withDefaults()
	policy, policyErr := NewPolicy(opts.AllowedRegistries, opts.BlockedRegistries)
	limits := newHostLimits(opts)
	return &Importer{
		opts:       opts,
		policy:     policy,
		policyErr:  policyErr,
		secure:     newTransport(opts, false, limits),
		insecure:   newTransport(opts, true, limits),
		lists:      newLRU[listKey, v1.Descriptor](opts.ListCacheSize),
		challenges: newLRU[challengeKey, cachedChallenge](challengeCacheSize),
		now:        time.Now,
	}
}

// Request names the image to import and how.
type Request struct {
	// Registry is the registry host, e.g. "docker.io", "quay.io" or "127.0.0.1:5000".
	Registry string
	// Repository is the repository path, e.g. "library/busybox".
	Repository string
	// Tag is the tag to import; exactly one of Tag and Digest is set.
	Tag string
	// Digest is the digest to import, e.g. "sha256:…".
	Digest string
	// Insecure allows plain HTTP and skips TLS certificate verification.
	Insecure bool
	// Mode is the import mode; "" means Legacy.
	Mode imagev1.ImportModeType
	// PreferArch and PreferOS choose from a manifest list in Legacy mode; empty values
	// are filled from Options.ControlPlanePlatform.
	PreferArch, PreferOS string
	// Keychain provides credentials; nil means anonymous.
	Keychain authn.Keychain
	// Known reports whether the namespace already holds an Image named after a digest;
	// known digests are not fetched. nil means nothing is known.
	Known func(digest string) bool
}

// Result is a successful import.
type Result struct {
	// Digest is what the tag points to: the manifest, the chosen child of a manifest list
	// (Legacy), or the list itself (PreserveOriginal).
	Digest string
	// Reference is "<registry>/<repository>@<Digest>".
	Reference string
	// Image is the metadata of Digest, or nil when Known(Digest) (nothing was fetched).
	Image *imagev1.ImageData
	// Manifests are, in PreserveOriginal mode, the children of the list that were not
	// Known, each referenced by its own digest.
	Manifests []imagev1.ImageData
	// Platforms are the "os/arch[/variant]" of the image, or of all the children of a
	// manifest list, when they were fetched.
	Platforms []string
}

// CheckRegistry reports whether the registry policy of the Importer lets imports reach
// registry ("quay.io", "registry.local:5000"), without any I/O; see Policy.Check.
func (i *Importer) CheckRegistry(registry string) error {
	if i.policyErr != nil {
		return forbiddenRegistry(registry, "the registry policy is invalid: "+i.policyErr.Error(), i.policyErr)
	}
	return i.policy.Check(registry)
}

// Import resolves req and returns the image metadata not already Known. Failures are
// *Error values; a registry the policy refuses fails before any request is sent.
func (i *Importer) Import(ctx context.Context, req Request) (*Result, error) {
	t, err := newTarget(req.Registry, req.Repository, req.Insecure)
	if err != nil {
		return nil, err
	}
	if err := i.CheckRegistry(req.Registry); err != nil {
		return nil, err
	}
	run := &importRun{
		importer: i,
		target:   t,
		known:    req.Known,
		prefer:   Platform{OS: req.PreferOS, Architecture: req.PreferArch},
	}
	if run.known == nil {
		run.known = func(string) bool { return false }
	}
	if run.prefer.OS == "" {
		run.prefer.OS = i.opts.ControlPlanePlatform.OS
	}
	if run.prefer.Architecture == "" {
		run.prefer.Architecture = i.opts.ControlPlanePlatform.Architecture
	}
	switch req.Mode {
	case "", imagev1.ImportModeLegacy:
	case imagev1.ImportModePreserveOriginal:
		run.preserve = true
	default:
		return nil, badRequest("invalid import mode %q, valid modes are '', 'Legacy', 'PreserveOriginal'", req.Mode)
	}
	switch {
	case (req.Tag == "") == (req.Digest == ""):
		return nil, badRequest("invalid image reference for %s: exactly one of a tag and a digest is required", t.display)
	case req.Tag != "":
		if !tagPattern.MatchString(req.Tag) {
			return nil, badRequest("invalid tag %q: a tag is 1 to 128 letters, digits, '_', '.' and '-', "+
				"starting with a letter, digit or '_'", req.Tag)
		}
		run.reference, run.ref = req.Tag, t.display+":"+req.Tag
	default:
		d, err := v1.NewHash(req.Digest)
		if err != nil {
			return nil, &Error{Reason: ReasonBadRequest, Message: "invalid digest: " + err.Error(), Err: err}
		}
		run.reference, run.ref, run.digest = req.Digest, t.display+"@"+req.Digest, d
	}

	var result *Result
	err = i.throughMirrors(t, run.ref, func(c target, ref string) error {
		attempt := *run
		attempt.target, attempt.ref = c, ref
		return i.withCredentials(ctx, c, ref, req.Keychain, func(ctx context.Context, s *session) error {
			attempt.session = s
			var err error
			result, err = attempt.run(ctx)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// withCredentials runs fn with a session authenticated by the keychain's credentials for
// the repository. When the registry refuses them (401 or 403), fn runs once more
// anonymously, which handles public images while a wrong secret is present; if that
// fails too, the error of the credentialed attempt is returned.
func (i *Importer) withCredentials(ctx context.Context, t target, ref string, kc authn.Keychain,
	fn func(context.Context, *session) error) error {
	auth := authn.Anonymous
	if kc != nil {
		var err error
		if auth, err = kc.Resolve(t.repository); err != nil {
			return &Error{Reason: ReasonInternalError, Err: err,
				Message: ref + ": resolving registry credentials: " + err.Error()}
		}
	}
	withCreds := hasCredentials(ctx, auth)
	if !withCreds {
		auth = authn.Anonymous
	}
	err := i.attempt(ctx, t, ref, auth, withCreds, fn)
	if err == nil || !withCreds || reasonOf(err) != ReasonUnauthorized {
		return err
	}
	if i.attempt(ctx, t, ref, authn.Anonymous, false, fn) == nil {
		return nil
	}
	return err
}

// attempt opens a session and runs fn, turning failures into *Error values.
func (i *Importer) attempt(ctx context.Context, t target, ref string, auth authn.Authenticator, withCreds bool,
	fn func(context.Context, *session) error) error {
	ctx, retryAfter := withRetryAfterRecorder(ctx)
	s, err := i.openSession(ctx, t, auth)
	if err == nil {
		err = fn(ctx, s)
	}
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		i.forgetChallenge(t) // a registry error may mean the ping answer is stale
	}
	return failure{
		ref:        ref,
		registry:   t.host,
		repository: t.display,
		withCreds:  withCreds,
		timeout:    i.opts.RequestTimeout,
		retryAfter: retryAfter,
	}.classify(err)
}

// hasCredentials reports whether auth provides any credential.
func hasCredentials(ctx context.Context, auth authn.Authenticator) bool {
	if auth == nil || auth == authn.Anonymous {
		return false
	}
	cfg, err := authn.Authorization(ctx, auth)
	if err != nil {
		return true // let the attempt report the problem
	}
	return cfg.Username != "" || cfg.Password != "" || cfg.Auth != "" ||
		cfg.IdentityToken != "" || cfg.RegistryToken != ""
}
