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

package notification

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// The receiver's endpoints.
const (
	// PathDistribution receives CNCF Distribution notification envelopes.
	PathDistribution = "/distribution"
	// PathWebhook receives Docker Hub, Harbor and Quay webhooks. Senders that cannot set an
	// Authorization header (Docker Hub, Quay) put the token in the path: /webhook/<token>.
	PathWebhook = "/webhook"
	// PathRecheck receives {"repository": "<registry>/<path>"}: re-check that repository.
	PathRecheck = "/recheck"
)

// response is the JSON body of every answer.
type response struct {
	// Message says what happened, or what to fix.
	Message string `json:"message"`
	// Format is the format of the payload, when it was recognised.
	Format Format `json:"format,omitempty"`
	// Recorded counts the pushed tags recorded in streams (created or not).
	Recorded int `json:"recorded,omitempty"`
	// Reimports counts the streams asked to re-import.
	Reimports int `json:"reimports,omitempty"`
	// Ignored counts the events or repositories the receiver had nothing to do for.
	Ignored int `json:"ignored,omitempty"`
}

// ServeHTTP checks, in this order, the path and method, the client's rate, the token, the
// global rate and the body size, then parses the payload and acts on it. Nothing is written
// for a request refused by any check.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.init()
	endpoint, pathToken, ok := route(req.URL.Path)
	if !ok {
		r.reply(w, endpoint, http.StatusNotFound, response{Message: "no such endpoint: use " +
			strings.Join([]string{PathDistribution, PathWebhook, PathRecheck}, ", ")})
		return
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		r.reply(w, endpoint, http.StatusMethodNotAllowed, response{Message: "only POST is accepted"})
		return
	}
	now := r.Clock.Now()
	if !r.clients.allow(clientAddress(req), now) {
		r.tooManyRequests(w, endpoint, "too many requests from this client")
		return
	}
	if status, message := r.authenticate(req, pathToken); status != 0 {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="imagestream-operator"`)
		}
		r.reply(w, endpoint, status, response{Message: message})
		return
	}
	if !r.overall.AllowN(now, 1) {
		r.tooManyRequests(w, endpoint, "too many notifications")
		return
	}
	body, err := r.readBody(w, req)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) || errors.Is(err, errBodyTooLarge) {
			r.reply(w, endpoint, http.StatusRequestEntityTooLarge, response{
				Message: "the body is larger than " + strconv.FormatInt(r.Options.MaxBodyBytes, 10) + " bytes"})
			return
		}
		r.reply(w, endpoint, http.StatusBadRequest, response{Message: "reading the body: " + err.Error()})
		return
	}
	switch endpoint {
	case PathDistribution:
		r.serveDistribution(w, req, body)
	case PathWebhook:
		format, changes, err := ParseWebhook(body)
		r.serveChanges(w, req, endpoint, format, changes, err)
	case PathRecheck:
		change, err := ParseRecheck(body)
		r.serveChanges(w, req, endpoint, FormatRecheck, []RepositoryChange{change}, err)
	}
}

// route returns the endpoint of path, and the token a webhook path carries.
func route(path string) (endpoint, token string, ok bool) {
	switch {
	case path == PathDistribution, path == PathWebhook, path == PathRecheck:
		return path, "", true
	case strings.HasPrefix(path, PathWebhook+"/") && len(path) > len(PathWebhook)+1:
		return PathWebhook, path[len(PathWebhook)+1:], true
	}
	return "other", "", false
}

// authenticate checks the bearer token of req (or the one in its path) and returns a
// status and message when it is refused.
func (r *Receiver) authenticate(req *http.Request, pathToken string) (int, string) {
	want, err := r.Options.Token.Token(req.Context())
	if err != nil {
		r.Log.Error(err, "The notification token is not available")
		return http.StatusServiceUnavailable, "the receiver's token is not available; see the operator's log"
	}
	got := []byte(pathToken)
	if pathToken == "" {
		scheme, token, found := strings.Cut(req.Header.Get("Authorization"), " ")
		if !found || !strings.EqualFold(scheme, "Bearer") {
			return http.StatusUnauthorized, "send the receiver's token as `Authorization: Bearer <token>`"
		}
		got = []byte(strings.TrimSpace(token))
	}
	if !tokensEqual(got, want) {
		return http.StatusUnauthorized, "wrong token"
	}
	return 0, ""
}

// errBodyTooLarge is a request whose Content-Length is above the limit.
var errBodyTooLarge = errors.New("body too large")

// readBody reads the whole body, at most MaxBodyBytes of it.
func (r *Receiver) readBody(w http.ResponseWriter, req *http.Request) ([]byte, error) {
	if req.ContentLength > r.Options.MaxBodyBytes {
		return nil, errBodyTooLarge
	}
	return io.ReadAll(http.MaxBytesReader(w, req.Body, r.Options.MaxBodyBytes))
}

// serveDistribution acts on a Distribution envelope.
func (r *Receiver) serveDistribution(w http.ResponseWriter, req *http.Request, body []byte) {
	pushes, ignored, err := ParseDistribution(req.Header.Get("Content-Type"), body)
	if err != nil {
		r.badRequest(w, PathDistribution, FormatDistribution, err)
		return
	}
	result, err := r.applyPushes(req.Context(), pushes)
	result.Ignored += ignored
	r.applied(w, PathDistribution, FormatDistribution, result, err)
}

// serveChanges acts on the repositories a webhook or a re-check call reports.
func (r *Receiver) serveChanges(w http.ResponseWriter, req *http.Request, endpoint string, format Format, changes []RepositoryChange, err error) {
	if err != nil {
		r.badRequest(w, endpoint, format, err)
		return
	}
	result, err := r.applyChanges(req.Context(), changes)
	r.applied(w, endpoint, format, result, err)
}

// badRequest answers 400 for a payload that could not be parsed.
func (r *Receiver) badRequest(w http.ResponseWriter, endpoint string, format Format, err error) {
	r.Log.V(1).Info("Refused a notification", "endpoint", endpoint, "error", err.Error())
	r.reply(w, endpoint, http.StatusBadRequest, response{Message: err.Error(), Format: format})
}

// applied answers for a payload that was acted on: 202, 503 when too many pushes of a
// stream wait (the registry sends it again), 500 when the API server failed.
func (r *Receiver) applied(w http.ResponseWriter, endpoint string, format Format, result applyResult, err error) {
	res := response{Format: format, Recorded: result.Recorded, Reimports: result.Reimports, Ignored: result.Ignored}
	switch {
	case errors.Is(err, errTooManyPending):
		w.Header().Set("Retry-After", "5")
		res.Message = err.Error()
		r.reply(w, endpoint, http.StatusServiceUnavailable, res)
	case err != nil:
		r.Log.Error(err, "Acting on a notification failed", "endpoint", endpoint, "format", format)
		res.Message = "acting on the notification failed; the sender should retry: " + err.Error()
		r.reply(w, endpoint, http.StatusInternalServerError, res)
	default:
		res.Message = "accepted"
		r.reply(w, endpoint, http.StatusAccepted, res)
	}
}

// tooManyRequests answers 429 with a Retry-After of one second.
func (r *Receiver) tooManyRequests(w http.ResponseWriter, endpoint, message string) {
	w.Header().Set("Retry-After", "1")
	r.reply(w, endpoint, http.StatusTooManyRequests, response{Message: message})
}

// reply writes res as JSON with status, and counts the request.
func (r *Receiver) reply(w http.ResponseWriter, endpoint string, status int, res response) {
	requests.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // messages quote `<token>`; nothing here is rendered as HTML
	_ = enc.Encode(res)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// clientAddress is the address rate limits apply to: the peer's IP (no forwarded header is
// trusted).
func clientAddress(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}
