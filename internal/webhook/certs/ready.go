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

package certs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Check is a readiness check (healthz.Checker): it passes once the webhook server serves a
// certificate that the caBundle of every webhook in the configurations trusts for the host
// the API server calls, so that a replica gets no admission traffic it would fail.
func (m *Manager) Check(req *http.Request) error {
	ctx, cancel := context.WithTimeout(req.Context(), 5*time.Second)
	defer cancel()
	dialer := &tls.Dialer{
		// Verified below against each webhook's caBundle, not the system roots.
		Config: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec
	}
	conn, err := dialer.DialContext(ctx, "tcp", m.serverAddr)
	if err != nil {
		return fmt.Errorf("the webhook server at %s does not serve TLS yet: %w", m.serverAddr, err)
	}
	peer := conn.(*tls.Conn).ConnectionState().PeerCertificates
	_ = conn.Close()
	if len(peer) == 0 {
		return errors.New("the webhook server presented no certificate")
	}
	hooks, err := m.webhooks(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, h := range hooks {
		roots := parseCertificates(h.config.CABundle)
		if len(roots) == 0 {
			return fmt.Errorf("webhook %s in %s has no caBundle yet", h.name, h.parent)
		}
		if err := verifyLeaf(now, peer[0], roots, serverName(h.config)); err != nil {
			return fmt.Errorf("the caBundle of webhook %s in %s does not trust the served certificate: %w", h.name, h.parent, err)
		}
	}
	return nil
}

type webhookClient struct {
	parent, name string
	config       admissionregistrationv1.WebhookClientConfig
}

// webhooks returns the client configuration of every webhook in the configurations, read
// from the API server.
func (m *Manager) webhooks(ctx context.Context) ([]webhookClient, error) {
	var hooks []webhookClient
	if name := m.opts.MutatingWebhookConfiguration; name != "" {
		cfg := &admissionregistrationv1.MutatingWebhookConfiguration{}
		if err := m.reader.Get(ctx, types.NamespacedName{Name: name}, cfg); err != nil {
			return nil, fmt.Errorf("reading MutatingWebhookConfiguration %s: %w", name, err)
		}
		for _, w := range cfg.Webhooks {
			hooks = append(hooks, webhookClient{"MutatingWebhookConfiguration " + name, w.Name, w.ClientConfig})
		}
	}
	if name := m.opts.ValidatingWebhookConfiguration; name != "" {
		cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := m.reader.Get(ctx, types.NamespacedName{Name: name}, cfg); err != nil {
			return nil, fmt.Errorf("reading ValidatingWebhookConfiguration %s: %w", name, err)
		}
		for _, w := range cfg.Webhooks {
			hooks = append(hooks, webhookClient{"ValidatingWebhookConfiguration " + name, w.Name, w.ClientConfig})
		}
	}
	return hooks, nil
}

// serverName is the host the API server verifies the webhook's certificate for.
func serverName(cc admissionregistrationv1.WebhookClientConfig) string {
	if cc.Service != nil {
		return cc.Service.Name + "." + cc.Service.Namespace + ".svc"
	}
	if cc.URL != nil {
		if u, err := url.Parse(*cc.URL); err == nil {
			return u.Hostname()
		}
	}
	return ""
}
