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
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"maps"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

var testParams = issueParams{
	hosts:           []string{"svc.ns.svc", "svc.ns.svc.cluster.local", "127.0.0.1"},
	caLifetime:      300 * time.Hour,
	servingLifetime: 90 * time.Hour,
}

func mustDesired(t *testing.T, now time.Time, current map[string][]byte, p issueParams) (map[string][]byte, time.Time, issued) {
	t.Helper()
	data, next, what, err := desiredData(now, current, p)
	if err != nil {
		t.Fatalf("desiredData: %v", err)
	}
	return data, next, what
}

func leafOf(t *testing.T, data map[string][]byte) *x509.Certificate {
	t.Helper()
	pair, err := tls.X509KeyPair(data[corev1.TLSCertKey], data[corev1.TLSPrivateKeyKey])
	if err != nil {
		t.Fatalf("serving certificate and key do not match: %v", err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func TestDesiredDataLifecycle(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	// Nothing stored: a CA and a serving certificate for every host.
	first, next, what := mustDesired(t, t0, nil, testParams)
	if !what.newCA || !what.newServing {
		t.Fatalf("first issue = %+v, want a new CA and serving certificate", what)
	}
	cas := parseCertificates(first[CABundleKey])
	if len(cas) != 1 || !keyMatches(parsePrivateKey(first[CAKeyKey]), cas[0]) {
		t.Fatalf("want one CA with its key, got %d CAs", len(cas))
	}
	leaf := leafOf(t, first)
	for _, h := range testParams.hosts {
		if err := verifyLeaf(t0, leaf, cas, h); err != nil {
			t.Errorf("serving certificate not valid for %s: %v", h, err)
		}
	}
	if err := verifyLeaf(t0, leaf, cas, "other.ns.svc"); err == nil {
		t.Error("serving certificate valid for a host it was not issued for")
	}
	if !next.Equal(rotationPoint(leaf)) || next.Before(t0.Add(59*time.Hour)) || next.After(t0.Add(60*time.Hour)) {
		t.Errorf("next = %s, want two thirds into the serving certificate's life, about 60h after %s", next, t0)
	}

	// Before the rotation point nothing changes: no write.
	again, _, what := mustDesired(t, t0.Add(59*time.Hour), first, testParams)
	if what != (issued{}) || !maps.EqualFunc(again, first, bytes.Equal) {
		t.Fatalf("sound certificates were changed: %+v", what)
	}

	// Past two thirds of the serving lifetime: a new serving certificate, same CA.
	second, _, what := mustDesired(t, t0.Add(61*time.Hour), first, testParams)
	if what.newCA || !what.newServing {
		t.Fatalf("serving rotation = %+v", what)
	}
	if !bytes.Equal(second[CABundleKey], first[CABundleKey]) || bytes.Equal(second[corev1.TLSCertKey], first[corev1.TLSCertKey]) {
		t.Fatal("serving rotation must keep the CA and replace the certificate")
	}

	// Past two thirds of the CA lifetime (200h): a new CA first in the bundle, the old one
	// still trusted; the serving certificate, not yet due, stays.
	// third is issued at 190h (second is due at about 121h) and due at about 250h; the CA is
	// due at about 200h.
	at := t0.Add(201 * time.Hour)
	third, _, _ := mustDesired(t, t0.Add(190*time.Hour), second, testParams)
	fourth, next, what := mustDesired(t, at, third, testParams)
	if !what.newCA || what.newServing {
		t.Fatalf("CA rotation = %+v, want a new CA and the serving certificate kept", what)
	}
	bundle := parseCertificates(fourth[CABundleKey])
	if len(bundle) != 2 || !bundle[1].Equal(parseCertificates(first[CABundleKey])[0]) {
		t.Fatalf("bundle after CA rotation has %d CAs, want the new one then the old one", len(bundle))
	}
	if !keyMatches(parsePrivateKey(fourth[CAKeyKey]), bundle[0]) {
		t.Fatal("ca.key is not the new CA's key")
	}
	if err := verifyLeaf(at, leafOf(t, fourth), bundle, "svc.ns.svc"); err != nil {
		t.Fatalf("kept serving certificate no longer trusted: %v", err)
	}
	// No serving certificate outlives its CA.
	if leafOf(t, third).NotAfter.After(bundle[1].NotAfter) {
		t.Error("a serving certificate outlives the CA that signed it")
	}

	// A serving certificate due at the moment the CA rotates is replaced in the next step.
	both, _, what := mustDesired(t, t0.Add(250*time.Hour), third, testParams)
	if !what.newCA || what.newServing {
		t.Fatalf("CA and serving certificate due together: %+v, want the CA first", what)
	}
	kept, settled, what := mustDesired(t, t0.Add(250*time.Hour+time.Second), both, testParams)
	if what != (issued{}) || !maps.EqualFunc(kept, both, bytes.Equal) {
		t.Fatalf("serving certificate replaced while the new CA settles: %+v", what)
	}
	if want := t0.Add(250*time.Hour + time.Minute); settled.Sub(want).Abs() > time.Second {
		t.Fatalf("next = %s, want the end of the CA's settling minute, %s", settled, want)
	}
	bothNext, nextAt, what := mustDesired(t, settled, both, testParams)
	if what.newCA || !what.newServing || !nextAt.After(settled) {
		t.Fatalf("step after the CA settled: %+v, next %s; want the serving certificate replaced", what, nextAt)
	}
	if err := verifyLeaf(settled, leafOf(t, bothNext), parseCertificates(both[CABundleKey])[:1], "svc.ns.svc"); err != nil {
		t.Fatalf("serving certificate after the CA rotation not from the new CA: %v", err)
	}

	// The next serving certificate comes from the new CA; once the old CA expires it leaves
	// the bundle.
	fifth, _, what := mustDesired(t, next.Add(time.Second), fourth, testParams)
	if what.newCA {
		t.Fatalf("CA rotated twice: %+v", what)
	}
	if !what.newServing {
		t.Fatalf("serving certificate not replaced when due: %+v", what)
	}
	if err := verifyLeaf(next.Add(time.Second), leafOf(t, fifth), bundle[:1], "svc.ns.svc"); err != nil {
		t.Fatalf("new serving certificate not signed by the new CA: %v", err)
	}
	afterOldCA := bundle[1].NotAfter.Add(time.Second)
	sixth, _, what := mustDesired(t, afterOldCA, fifth, testParams)
	if !what.droppedCAs || len(parseCertificates(sixth[CABundleKey])) != 1 {
		t.Fatalf("expired CA not dropped: %+v", what)
	}
	if err := verifyLeaf(afterOldCA, leafOf(t, sixth), parseCertificates(sixth[CABundleKey]), "svc.ns.svc"); err != nil {
		t.Fatalf("serving certificate not trusted after the old CA left: %v", err)
	}
}

func TestDesiredDataRepairs(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	good, _, _ := mustDesired(t, t0, nil, testParams)
	other, _, _ := mustDesired(t, t0, nil, testParams)
	with := func(key string, value []byte) map[string][]byte {
		d := maps.Clone(good)
		d[key] = value
		return d
	}
	tests := []struct {
		name                string
		current             map[string][]byte
		params              issueParams
		wantCA, wantServing bool
	}{
		{"garbage everywhere", map[string][]byte{CABundleKey: []byte("x"), CAKeyKey: []byte("y")}, testParams, true, true},
		{"CA key of another CA", with(CAKeyKey, other[CAKeyKey]), testParams, true, false},
		{"serving key of another certificate", with(corev1.TLSPrivateKeyKey, other[corev1.TLSPrivateKeyKey]), testParams, false, true},
		{"serving certificate from another CA", with(corev1.TLSCertKey, other[corev1.TLSCertKey]), testParams, false, true},
		{"a host added", good, issueParams{hosts: append(testParams.hosts, "localhost"), caLifetime: testParams.caLifetime,
			servingLifetime: testParams.servingLifetime}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, _, what := mustDesired(t, t0.Add(time.Hour), tt.current, tt.params)
			if what.newCA != tt.wantCA || what.newServing != tt.wantServing {
				t.Fatalf("issued %+v, want new CA %v, new serving certificate %v", what, tt.wantCA, tt.wantServing)
			}
			if err := verifyLeaf(t0.Add(time.Hour), leafOf(t, data), parseCertificates(data[CABundleKey]), tt.params.hosts[len(tt.params.hosts)-1]); err != nil {
				t.Fatalf("result not trusted: %v", err)
			}
		})
	}
}
