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

// Package certs manages the admission webhooks' TLS certificates when no external tool
// (cert-manager, OLM) does: a self-signed CA and a serving certificate for the webhook
// Service, kept in a Secret in the operator's namespace, written to the webhook server's
// certificate directory, with the CA injected as caBundle into the webhook configurations,
// rotated well before they expire.
package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Keys of the Secret. tls.crt and tls.key hold the serving certificate and its key, as in
// any kubernetes.io/tls Secret.
const (
	// CABundleKey holds the CAs the webhook configurations trust, newest first, PEM. After a
	// CA rotation it also holds the previous CA until that expires, so certificates it
	// signed stay trusted while replicas switch over.
	CABundleKey = "ca.crt"
	// CAKeyKey holds the private key of the newest CA, which signs serving certificates.
	CAKeyKey = "ca.key"
)

// rotationPoint returns when a certificate is due for replacement: after two thirds of its
// validity, leaving a third of it for the replacement to reach every replica and the API
// server.
func rotationPoint(c *x509.Certificate) time.Time {
	return c.NotBefore.Add(c.NotAfter.Sub(c.NotBefore) * 2 / 3)
}

// backdate is how far NotBefore is set in the past, for clocks a little behind ours.
func backdate(lifetime time.Duration) time.Duration {
	return min(lifetime/10, time.Hour)
}

// issuedAt returns when a certificate made here was issued: NotBefore plus its backdate.
// With validity v = lifetime + backdate(lifetime), the backdate is min(v/11, 1h).
func issuedAt(c *x509.Certificate) time.Time {
	return c.NotBefore.Add(min(c.NotAfter.Sub(c.NotBefore)/11, time.Hour))
}

// trustSettling is how long a new CA is only trusted before it signs serving certificates
// that replace valid ones.
func trustSettling(caLifetime time.Duration) time.Duration {
	return min(caLifetime/20, time.Minute)
}

// issueParams says what certificates to issue.
type issueParams struct {
	// hosts are the DNS names and IP addresses the serving certificate must be valid for;
	// the first is its common name.
	hosts           []string
	caLifetime      time.Duration
	servingLifetime time.Duration
}

// issued reports what desiredData changed.
type issued struct {
	newCA, newServing, droppedCAs bool
}

// desiredData returns the Secret data that should be stored at now, given the current data
// (nil when there is no Secret): the current certificates when they are sound and not due,
// new ones otherwise. next is when the result must be looked at again.
func desiredData(now time.Time, current map[string][]byte, p issueParams) (data map[string][]byte, next time.Time, what issued, err error) {
	cas := parseCertificates(current[CABundleKey])
	signerKey, signerKeyPEM := parsePrivateKey(current[CAKeyKey]), current[CAKeyKey]

	var trusted []*x509.Certificate
	for _, ca := range cas {
		if ca.IsCA && now.Before(ca.NotAfter) {
			trusted = append(trusted, ca)
		}
	}
	what.droppedCAs = len(trusted) != len(cas)
	if len(trusted) == 0 || len(cas) == 0 || trusted[0] != cas[0] || !now.Before(rotationPoint(cas[0])) ||
		now.Before(cas[0].NotBefore) || !keyMatches(signerKey, cas[0]) {
		ca, key, err := newCA(now, p.caLifetime)
		if err != nil {
			return nil, time.Time{}, what, err
		}
		signerKey = key
		if signerKeyPEM, err = encodePrivateKey(key); err != nil {
			return nil, time.Time{}, what, err
		}
		trusted = append([]*x509.Certificate{ca}, trusted...)
		what.newCA = true
	}
	signer := trusted[0]

	certPEM, keyPEM := current[corev1.TLSCertKey], current[corev1.TLSPrivateKeyKey]
	leaf := servingCertificate(now, certPEM, keyPEM, trusted, p.hosts, false)
	leafDue := time.Time{}
	if leaf != nil {
		leafDue = rotationPoint(leaf)
	}
	// A serving certificate that is due but still valid is kept while the signing CA is
	// new: replicas then never serve a certificate from a CA that the API server may not
	// have been given yet (the CA is injected before any replica writes its files, but the
	// API server sees the change a moment later).
	if settled := issuedAt(signer).Add(trustSettling(p.caLifetime)); leaf == nil && now.Before(settled) {
		if leaf = servingCertificate(now, certPEM, keyPEM, trusted, p.hosts, true); leaf != nil {
			leafDue = settled
		}
	}
	if leaf == nil {
		if leaf, certPEM, keyPEM, err = newServingCert(now, p, signer, signerKey); err != nil {
			return nil, time.Time{}, what, err
		}
		leafDue = rotationPoint(leaf)
		what.newServing = true
	}

	next = minTime(rotationPoint(signer), leafDue)
	for _, ca := range trusted[1:] {
		next = minTime(next, ca.NotAfter)
	}
	return map[string][]byte{
		CABundleKey:             encodeCertificates(trusted),
		CAKeyKey:                signerKeyPEM,
		corev1.TLSCertKey:       certPEM,
		corev1.TLSPrivateKeyKey: keyPEM,
	}, next, what, nil
}

// servingCertificate returns the parsed serving certificate when it can still be served at
// now: it matches its key, one of the trusted CAs signed it, it is valid for every host and,
// unless evenIfDue, not yet due for rotation. Otherwise nil.
func servingCertificate(now time.Time, certPEM, keyPEM []byte, trusted []*x509.Certificate, hosts []string, evenIfDue bool) *x509.Certificate {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil || (!evenIfDue && !now.Before(rotationPoint(leaf))) {
		return nil
	}
	if verifyLeaf(now, leaf, trusted, "") != nil {
		return nil
	}
	for _, h := range hosts {
		if leaf.VerifyHostname(h) != nil {
			return nil
		}
	}
	return leaf
}

// verifyLeaf checks that leaf is a server certificate that one of roots signed, valid at
// now and, when host is not empty, for host.
func verifyLeaf(now time.Time, leaf *x509.Certificate, roots []*x509.Certificate, host string) error {
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		DNSName: host, Roots: pool, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

func newCA(now time.Time, lifetime time.Duration) (*x509.Certificate, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating CA key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: fmt.Sprintf("imagestream-operator-webhook-ca@%d", now.Unix())},
		NotBefore:             now.Add(-backdate(lifetime)),
		NotAfter:              now.Add(lifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing new CA certificate: %w", err)
	}
	return ca, key, nil
}

func newServingCert(now time.Time, p issueParams, ca *x509.Certificate, caKey crypto.Signer) (leaf *x509.Certificate, certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("generating serving key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: p.hosts[0]},
		NotBefore:    now.Add(-backdate(p.servingLifetime)),
		// A certificate cannot outlive the CA that signed it.
		NotAfter:              minTime(now.Add(p.servingLifetime), ca.NotAfter),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range p.hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("creating serving certificate: %w", err)
	}
	if leaf, err = x509.ParseCertificate(der); err != nil {
		return nil, nil, nil, fmt.Errorf("parsing new serving certificate: %w", err)
	}
	if keyPEM, err = encodePrivateKey(key); err != nil {
		return nil, nil, nil, err
	}
	return leaf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), keyPEM, nil
}

func serialNumber() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	return n, nil
}

// parseCertificates returns the certificates in a PEM bundle, skipping blocks that are not
// certificates or do not parse.
func parseCertificates(bundle []byte) []*x509.Certificate {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, bundle = pem.Decode(bundle)
		if block == nil {
			return certs
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil {
			certs = append(certs, c)
		}
	}
}

func encodeCertificates(certs []*x509.Certificate) []byte {
	var buf bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return buf.Bytes()
}

func parsePrivateKey(keyPEM []byte) crypto.Signer {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil
	}
	signer, _ := key.(crypto.Signer)
	return signer
}

func encodePrivateKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// keyMatches reports whether key is the private key of cert.
func keyMatches(key crypto.Signer, cert *x509.Certificate) bool {
	if key == nil {
		return false
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
