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
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/time/rate"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/imagestreams/imagestream-operator/internal/imagestream"
)

// Defaults of Options.
const (
	DefaultMaxBodyBytes int64 = 1 << 20
	DefaultClientQPS          = 50.0
	DefaultClientBurst        = 200
	DefaultQPS                = 200.0
	DefaultBurst              = 500
)

// Options configure the receiver.
type Options struct {
	// BindAddress is the address the receiver listens on, e.g. ":8444".
	BindAddress string
	// CertDir holds the serving certificate CertName and key KeyName (default tls.crt and
	// tls.key), reloaded when they change. Empty: plain HTTP, only with AllowHTTP.
	CertDir, CertName, KeyName string
	// AllowHTTP allows serving plain HTTP when CertDir is empty, e.g. behind a proxy or a
	// service mesh that terminates TLS.
	AllowHTTP bool
	// Token is the bearer token callers must present.
	Token TokenSource
	// RegistryHostnames are the names of the integrated registry (--registry-hostname,
	// --public-registry-hostname): a Distribution push event counts only when it was
	// addressed to one of them, and its tag is imported from the first.
	RegistryHostnames []string
	// CreateStreams creates the stream `<name>` in namespace `<namespace>` for a push to
	// repository `<namespace>/<name>` of the integrated registry when there is none.
	CreateStreams bool
	// MaxBodyBytes is the largest request body accepted (413 beyond it).
	MaxBodyBytes int64
	// ClientQPS and ClientBurst rate-limit the requests of each client address; QPS and
	// Burst those of all authenticated clients together (429 beyond them). <= 0: no limit.
	ClientQPS   float64
	ClientBurst int
	QPS         float64
	Burst       int
	// MaxPendingPushes bounds the pushed tags of one stream waiting to be imported.
	MaxPendingPushes int
}

// withDefaults returns o with its unset limits defaulted.
func (o Options) withDefaults() Options {
	if o.CertName == "" {
		o.CertName = "tls.crt"
	}
	if o.KeyName == "" {
		o.KeyName = "tls.key"
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxPendingPushes <= 0 {
		o.MaxPendingPushes = imagestream.DefaultMaxPendingPushes
	}
	return o
}

// Validate reports options that cannot work.
func (o Options) Validate() error {
	var errs []error
	if o.BindAddress == "" {
		errs = append(errs, errors.New("no bind address"))
	}
	if o.Token == nil {
		errs = append(errs, errors.New("no token: set --notification-token-file or --notification-token-secret"))
	}
	if len(o.RegistryHostnames) == 0 || o.RegistryHostnames[0] == "" {
		errs = append(errs, errors.New("push notifications need --registry-hostname, the integrated registry whose pushes they report"))
	}
	if o.CertDir == "" && !o.AllowHTTP {
		errs = append(errs, errors.New("no serving certificate: set --notification-cert-path, or --notification-allow-http "+
			"if a proxy in front of the receiver terminates TLS"))
	}
	return errors.Join(errs...)
}

// Receiver is the HTTP(S) server that receives registry notifications. Every replica runs
// it (it writes annotations, not status, and needs no leader). It reads streams from the
// manager's cache and writes them with its client.
type Receiver struct {
	// Client reads streams from the manager's cache and writes their metadata.
	Client client.Client
	// APIReader reads a stream from the API server after a write conflict.
	APIReader client.Reader
	Options   Options
	Log       logr.Logger
	// Clock stamps re-import requests; nil: the real clock.
	Clock clock.PassiveClock

	clients *clientLimiter
	overall *rate.Limiter
	serving atomic.Bool
}

// SetupWithManager indexes the streams by the repositories their tags import from and adds
// the receiver to mgr.
func (r *Receiver) SetupWithManager(mgr ctrl.Manager) error {
	if err := r.Options.Validate(); err != nil {
		return fmt.Errorf("invalid notification receiver options: %w", err)
	}
	if err := indexSourceRepositories(context.Background(), mgr); err != nil {
		return err
	}
	return mgr.Add(r)
}

// NeedLeaderElection is false: every replica receives notifications.
func (r *Receiver) NeedLeaderElection() bool { return false }

// init sets the defaults and limiters once.
func (r *Receiver) init() {
	if r.clients != nil {
		return
	}
	r.Options = r.Options.withDefaults()
	r.clients = newClientLimiter(r.Options.ClientQPS, r.Options.ClientBurst)
	r.overall = newLimiter(r.Options.QPS, r.Options.Burst)
	if r.Clock == nil {
		r.Clock = clock.RealClock{}
	}
	if r.Log.GetSink() == nil {
		r.Log = ctrl.Log.WithName("notification-receiver")
	}
}

// Start serves until ctx ends. It fails when the token cannot be read or is too short, and
// when the certificate cannot be loaded.
func (r *Receiver) Start(ctx context.Context) error {
	r.init()
	if _, err := r.Options.Token.Token(ctx); err != nil {
		return fmt.Errorf("notification receiver: %w", err)
	}
	ln, err := net.Listen("tcp", r.Options.BindAddress)
	if err != nil {
		return fmt.Errorf("notification receiver: %w", err)
	}
	scheme := "http"
	if r.Options.CertDir != "" {
		watcher, err := certwatcher.New(filepath.Join(r.Options.CertDir, r.Options.CertName), filepath.Join(r.Options.CertDir, r.Options.KeyName))
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("notification receiver: loading the serving certificate from %s: %w", r.Options.CertDir, err)
		}
		go func() {
			if err := watcher.Start(ctx); err != nil {
				r.Log.Error(err, "Watching the serving certificate failed; a rotated certificate is not picked up")
			}
		}()
		// HTTP/1.1 only, as the operator's other servers by default (HTTP/2 Rapid Reset and
		// Stream Cancellation CVEs); registries send notifications over HTTP/1.1.
		ln = tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: watcher.GetCertificate, NextProtos: []string{"http/1.1"}})
		scheme = "https"
	}
	srv := &http.Server{
		Handler:           r,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    32 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	r.Log.Info("Serving registry notifications", "address", ln.Addr().String(), "scheme", scheme,
		"endpoints", []string{PathDistribution, PathWebhook, PathRecheck})
	r.serving.Store(true)
	err = srv.Serve(ln)
	r.serving.Store(false)
	if errors.Is(err, http.ErrServerClosed) {
		<-done
		return nil
	}
	return fmt.Errorf("notification receiver: %w", err)
}

// Serving is a readiness check that passes while the receiver listens.
func (r *Receiver) Serving(*http.Request) error {
	if !r.serving.Load() {
		return errors.New("the notification receiver is not serving yet")
	}
	return nil
}
