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
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"os"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// MinTokenLength is the shortest bearer token the receiver accepts, so that it cannot be
// guessed; `openssl rand -hex 32` makes a good one.
const MinTokenLength = 16

// TokenSecretKey is the key of the token in a token Secret.
const TokenSecretKey = "token"

// tokenRefresh is how long a token read from a file or a Secret is used before it is read
// again, so that a rotated token takes effect without a restart.
const tokenRefresh = 30 * time.Second

// A TokenSource returns the bearer token that callers must present. Implementations read
// it again now and then, so that a rotated token takes effect without a restart.
type TokenSource interface {
	// Token returns the current token, or an error saying what to fix.
	Token(ctx context.Context) ([]byte, error)
}

// cachedToken keeps a token for tokenRefresh; the previous token stays in use while a
// refresh fails.
type cachedToken struct {
	mu      sync.Mutex
	token   []byte
	fetched time.Time
	now     func() time.Time
	read    func(ctx context.Context) ([]byte, error)
}

// Token returns the cached token, reading it again when it is older than tokenRefresh.
func (c *cachedToken) Token(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	if c.token != nil && now().Sub(c.fetched) < tokenRefresh {
		return c.token, nil
	}
	token, err := c.read(ctx)
	if err == nil {
		err = checkToken(token)
	}
	if err != nil {
		if c.token != nil {
			return c.token, nil
		}
		return nil, err
	}
	c.token, c.fetched = token, now()
	return token, nil
}

// checkToken refuses tokens that are too short to be secret.
func checkToken(token []byte) error {
	if len(token) < MinTokenLength {
		return fmt.Errorf("the token has %d characters, fewer than %d: generate one with `openssl rand -hex 32`", len(token), MinTokenLength)
	}
	return nil
}

// FileToken returns a TokenSource that reads the token from a file, such as a Secret
// mounted as a volume; surrounding white space is ignored.
func FileToken(path string) TokenSource {
	return &cachedToken{read: func(context.Context) ([]byte, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading the notification token file: %w", err)
		}
		return bytes.TrimSpace(data), nil
	}}
}

// SecretToken returns a TokenSource that reads the token from key "token" of a Secret with
// reader (uncached: only that Secret is read, and the operator does not cache Secrets).
func SecretToken(reader client.Reader, key types.NamespacedName) TokenSource {
	return &cachedToken{read: func(ctx context.Context) ([]byte, error) {
		secret := &corev1.Secret{}
		if err := reader.Get(ctx, key, secret); err != nil {
			return nil, fmt.Errorf("reading the notification token Secret %s: %w", key, err)
		}
		token, ok := secret.Data[TokenSecretKey]
		if !ok {
			return nil, fmt.Errorf("the notification token Secret %s has no key %q", key, TokenSecretKey)
		}
		return bytes.TrimSpace(token), nil
	}}
}

// tokensEqual compares two tokens in constant time (of their hashes, so that not even the
// length of the expected token shows in the time taken).
func tokensEqual(got, want []byte) bool {
	g, w := sha256.Sum256(got), sha256.Sum256(want)
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1 && len(want) > 0
}
