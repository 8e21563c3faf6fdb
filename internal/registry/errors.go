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
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Reasons of an Error. They match the metav1.Status reasons OpenShift records on an
// ImportSuccess condition, plus TooManyRequests and Timeout.
const (
	// ReasonNotFound: the repository, tag or digest does not exist.
	ReasonNotFound = "NotFound"
	// ReasonUnauthorized: the registry refused the credentials, or access without them.
	ReasonUnauthorized = "Unauthorized"
	// ReasonForbidden: the import may not reach the registry (registry policy).
	ReasonForbidden = "Forbidden"
	// ReasonBadRequest: the request or the registry content cannot be imported as is
	// (HTTP-only registry without the insecure flag, oversized or unsupported content).
	ReasonBadRequest = "BadRequest"
	// ReasonInternalError: any other failure, including registry 5xx responses.
	ReasonInternalError = "InternalError"
	// ReasonTooManyRequests: the registry rate-limited the import; see Error.RetryAfter.
	ReasonTooManyRequests = "TooManyRequests"
	// ReasonTimeout: a request to the registry exceeded the request timeout.
	ReasonTimeout = "Timeout"
)

// Error is an import failure with an OpenShift-style reason and a user-facing message.
// The message never contains credentials.
type Error struct {
	// Reason is one of the Reason* constants.
	Reason string
	// Message says what went wrong, in OpenShift's words where OpenShift has them.
	Message string
	// RetryAfter is the delay the registry asked for with Retry-After (TooManyRequests).
	RetryAfter time.Duration
	// Err is the underlying error, if any.
	Err error
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// reasonOf returns the reason of err when it is an *Error, "" otherwise.
func reasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// failure describes what was being done when an error happened, to turn it into an
// *Error.
type failure struct {
	ref        string // the image reference shown in messages
	registry   string // the registry as requested
	repository string // "<registry>/<repository>" as requested
	withCreds  bool   // the failed requests carried credentials
	timeout    time.Duration
	retryAfter *retryAfterRecorder
}

// classify maps err to an *Error with OpenShift's reasons and messages.
func (f failure) classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var blocked *blockedAddressError
	var limitWait *limitWaitError
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var terr *transport.Error
	switch {
	case errors.As(err, &blocked):
		return forbiddenRegistry(f.registry, fmt.Sprintf("%s (the connection to %s was refused)",
			whyLinkLocal, blocked.addr), err)
	case errors.As(err, &limitWait):
		return &Error{Reason: ReasonTimeout, Err: err, Message: fmt.Sprintf("%s: the import ran out of time waiting "+
			"for its turn under the request limits of %s (--registry-qps, --max-concurrent-requests-per-registry)",
			f.ref, limitWait.host)}
	case isTimeout(err):
		return &Error{Reason: ReasonTimeout, Err: err, Message: fmt.Sprintf(
			"%s: the registry did not respond within the request timeout of %s", f.ref, f.timeout)}
	case errors.Is(err, context.Canceled):
		return &Error{Reason: ReasonInternalError, Message: f.ref + ": import canceled", Err: err}
	case errors.Is(err, http.ErrSchemeMismatch):
		return &Error{Reason: ReasonBadRequest, Err: err, Message: fmt.Sprintf(
			"the repository %s is HTTP only and requires the insecure flag to import", f.repository)}
	case errors.As(err, &certErr), errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr),
		errors.As(err, &invalidCert):
		return &Error{Reason: ReasonInternalError, Err: err, Message: fmt.Sprintf(
			"%s: the registry's TLS certificate could not be verified (%s); use a certificate "+
				"signed by a trusted authority or set the insecure flag", f.ref, certificateProblem(err))}
	case errors.As(err, &terr):
		return f.classifyStatus(terr, err)
	default:
		return &Error{Reason: ReasonInternalError, Message: fmt.Sprintf("%s: %v", f.ref, err), Err: err}
	}
}

// classifyStatus maps a registry error response.
func (f failure) classifyStatus(terr *transport.Error, err error) *Error {
	switch {
	case terr.StatusCode == http.StatusUnauthorized && f.withCreds:
		return &Error{Reason: ReasonUnauthorized, Err: err,
			Message: fmt.Sprintf("incorrect username or password for image %q", f.ref)}
	case terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden:
		return &Error{Reason: ReasonUnauthorized, Err: err,
			Message: fmt.Sprintf("you may not have access to the container image %q", f.ref)}
	case terr.StatusCode == http.StatusTooManyRequests:
		d, ok := f.retryAfter.get()
		when := "retry later"
		if ok {
			when = "retry after " + d.String()
		}
		return &Error{Reason: ReasonTooManyRequests, RetryAfter: d, Err: err, Message: fmt.Sprintf(
			"%s: the registry rate-limited the import (429 Too Many Requests), %s", f.ref, when)}
	case isNotFound(terr):
		return &Error{Reason: ReasonNotFound, Message: fmt.Sprintf("dockerimage %q not found", f.ref), Err: err}
	default:
		return &Error{Reason: ReasonInternalError, Message: fmt.Sprintf("%s: %v", f.ref, err), Err: err}
	}
}

// isNotFound reports whether a registry error says the manifest or repository is unknown.
func isNotFound(terr *transport.Error) bool {
	for _, d := range terr.Errors {
		if d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode {
			return true
		}
	}
	if terr.StatusCode != http.StatusNotFound {
		return false
	}
	return terr.Request == nil || !strings.Contains(terr.Request.URL.Path, "/blobs/")
}

// isTimeout reports whether err is a deadline or network timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var nerr net.Error
	return errors.As(err, &nerr) && nerr.Timeout()
}

// certificateProblem returns the innermost certificate error text.
func certificateProblem(err error) string {
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknownAuthority):
		return unknownAuthority.Error()
	case errors.As(err, &hostnameErr):
		return hostnameErr.Error()
	case errors.As(err, &invalidCert):
		return invalidCert.Error()
	default:
		return err.Error()
	}
}

// badRequest returns a BadRequest *Error.
func badRequest(format string, args ...any) *Error {
	return &Error{Reason: ReasonBadRequest, Message: fmt.Sprintf(format, args...)}
}

// integrityError reports content whose digest is not the one it was fetched by.
func integrityError(ref, what, want, got string) *Error {
	return &Error{Reason: ReasonInternalError, Message: fmt.Sprintf(
		"%s: content integrity error: the %s should have digest %s but the registry returned content with digest %s",
		ref, what, want, got)}
}

// tooLargeError reports content over a size limit; size is -1 when unknown.
func tooLargeError(ref, what, kind string, size, limit int64) *Error {
	if size < 0 {
		return badRequest("%s: the %s is larger than the %s size limit of %d bytes", ref, what, kind, limit)
	}
	return badRequest("%s: the %s is %d bytes, larger than the %s size limit of %d bytes", ref, what, size, kind, limit)
}

// retryAfterRecorder keeps the last Retry-After delay seen by the requests of one
// import, including those made inside go-containerregistry (ping, token).
type retryAfterRecorder struct {
	mu    sync.Mutex
	delay time.Duration
	set   bool
}

type retryAfterKey struct{}

// withRetryAfterRecorder returns a context whose requests record Retry-After headers.
func withRetryAfterRecorder(ctx context.Context) (context.Context, *retryAfterRecorder) {
	rec := &retryAfterRecorder{}
	return context.WithValue(ctx, retryAfterKey{}, rec), rec
}

// recordRetryAfter stores the Retry-After of a 429 or 503 response to a request made with a
// recording context.
func recordRetryAfter(req *http.Request, resp *http.Response, now time.Time) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return
	}
	rec, ok := req.Context().Value(retryAfterKey{}).(*retryAfterRecorder)
	if !ok {
		return
	}
	d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	if !ok {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.delay, rec.set = d, true
}

func (r *retryAfterRecorder) get() (time.Duration, bool) {
	if r == nil {
		return 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.delay, r.set
}

// parseRetryAfter parses a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0).Round(time.Second), true
}
