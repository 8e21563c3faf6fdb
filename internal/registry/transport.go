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
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// newTransport returns the HTTP transport of an Importer. The secure transport verifies
// TLS certificates and refuses plain HTTP; the insecure one skips TLS verification and
// allows plain HTTP. Both refuse link-local and cloud metadata addresses, wait for the
// per-registry limits (shared by both), bound every request by opts.RequestTimeout,
// record Retry-After headers and count the requests sent (imagestream_registry_requests_total).
func newTransport(opts Options, insecure bool, limits *hostLimits) http.RoundTripper {
	dialer := &net.Dialer{
		Timeout:   min(opts.RequestTimeout, 30*time.Second),
		KeepAlive: 30 * time.Second,
		Control:   refuseBlockedAddresses,
	}
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   min(opts.RequestTimeout, 10*time.Second),
		ExpectContinueTimeout: time.Second,
		TLSClientConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			// The insecure flag of an import asks for exactly this.
			InsecureSkipVerify: insecure, //nolint:gosec
		},
	}
	var rt http.RoundTripper = requestTimeout{inner: instrumentedRequests{inner: base}, timeout: opts.RequestTimeout}
	if limits.enabled() {
		// Outside requestTimeout: waiting for a turn is not the registry being slow.
		rt = limitRequests{inner: rt, limits: limits}
	}
	if !insecure {
		rt = httpsOnly{inner: rt}
	}
	rt = addressGuard{inner: rt, proxy: base.Proxy, resolver: net.DefaultResolver}
	return userAgent{inner: rt, userAgent: opts.UserAgent}
}

// requestTimeout bounds each request, body included, and records Retry-After headers.
// Errors are returned unwrapped: net/http inspects their type.
type requestTimeout struct {
	inner   http.RoundTripper
	timeout time.Duration
}

func (t requestTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.inner.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	recordRetryAfter(req, resp, time.Now())
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases a request context when its response body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// httpsOnly refuses plain HTTP requests: without the insecure flag nothing is sent in
// clear text, not even after a redirect.
type httpsOnly struct{ inner http.RoundTripper }

func (h httpsOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		closeBody(req)
		return nil, fmt.Errorf("refusing plain HTTP to %s without the insecure flag", req.URL.Host)
	}
	return h.inner.RoundTrip(req)
}

// userAgent sets the User-Agent header.
type userAgent struct {
	inner     http.RoundTripper
	userAgent string
}

func (u userAgent) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", u.userAgent)
	return u.inner.RoundTrip(req)
}
