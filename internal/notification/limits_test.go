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
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestClientLimiter(t *testing.T) {
	g := NewWithT(t)
	now := time.Unix(1000, 0)
	l := newClientLimiter(1, 2)
	g.Expect(l.allow("a", now)).To(BeTrue())
	g.Expect(l.allow("a", now)).To(BeTrue())
	g.Expect(l.allow("a", now)).To(BeFalse(), "the burst is spent")
	g.Expect(l.allow("b", now)).To(BeTrue(), "another client has its own budget")
	g.Expect(l.allow("a", now.Add(time.Second))).To(BeTrue(), "one request a second")

	unlimited := newClientLimiter(0, 0)
	for range 1000 {
		g.Expect(unlimited.allow("a", now)).To(BeTrue())
	}
}

func TestClientLimiterForgetsIdleClients(t *testing.T) {
	g := NewWithT(t)
	now := time.Unix(1000, 0)
	l := newClientLimiter(1, 1)
	for i := range maxTrackedClients {
		g.Expect(l.allow(string(rune(i)), now)).To(BeTrue())
	}
	g.Expect(l.allow("new", now)).To(BeTrue(), "the shared overflow limiter")
	g.Expect(l.allow("newer", now)).To(BeFalse(), "overflow clients share one budget while every tracked client is busy")
	g.Expect(l.allow("newest", now.Add(time.Second))).To(BeTrue(), "idle clients are forgotten")
	g.Expect(len(l.clients)).To(Equal(1))
}

func TestFileToken(t *testing.T) {
	g := NewWithT(t)
	path := filepath.Join(t.TempDir(), "token")
	g.Expect(os.WriteFile(path, []byte("0123456789abcdef0123\n"), 0o600)).To(Succeed())
	now := time.Unix(1000, 0)
	src := FileToken(path).(*cachedToken)
	src.now = func() time.Time { return now }

	token, err := src.Token(context.Background())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(token)).To(Equal("0123456789abcdef0123"), "surrounding white space is ignored")

	g.Expect(os.WriteFile(path, []byte("rotated-rotated-rotated"), 0o600)).To(Succeed())
	token, _ = src.Token(context.Background())
	g.Expect(string(token)).To(Equal("0123456789abcdef0123"), "read again only after a while")
	now = now.Add(tokenRefresh)
	token, _ = src.Token(context.Background())
	g.Expect(string(token)).To(Equal("rotated-rotated-rotated"), "a rotated token takes effect")

	g.Expect(os.WriteFile(path, []byte("short"), 0o600)).To(Succeed())
	now = now.Add(tokenRefresh)
	token, err = src.Token(context.Background())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(token)).To(Equal("rotated-rotated-rotated"), "a bad new token keeps the last good one")

	_, err = FileToken(path).Token(context.Background())
	g.Expect(err).To(MatchError(ContainSubstring("fewer than 16: generate one with `openssl rand -hex 32`")))
	_, err = FileToken(filepath.Join(t.TempDir(), "missing")).Token(context.Background())
	g.Expect(err).To(MatchError(ContainSubstring("reading the notification token file")))
}

func TestTokensEqual(t *testing.T) {
	g := NewWithT(t)
	g.Expect(tokensEqual([]byte("0123456789abcdef"), []byte("0123456789abcdef"))).To(BeTrue())
	g.Expect(tokensEqual([]byte("0123456789abcdeX"), []byte("0123456789abcdef"))).To(BeFalse())
	g.Expect(tokensEqual([]byte("0123456789abcdef0"), []byte("0123456789abcdef"))).To(BeFalse())
	g.Expect(tokensEqual(nil, nil)).To(BeFalse(), "no token is never right")
}
