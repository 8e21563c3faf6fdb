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
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxTrackedClients bounds the clients with a limiter of their own; beyond it, new clients
// share one limiter until idle clients are forgotten.
const maxTrackedClients = 4096

// clientLimiter rate-limits requests per client address, with a bounded memory.
type clientLimiter struct {
	mu       sync.Mutex
	limit    rate.Limit
	burst    int
	clients  map[string]*rate.Limiter
	overflow *rate.Limiter
}

// newClientLimiter returns a limiter of qps requests a second per client with bursts of
// burst; qps <= 0 means unlimited.
func newClientLimiter(qps float64, burst int) *clientLimiter {
	limit := rate.Limit(qps)
	if qps <= 0 {
		limit = rate.Inf
	}
	burst = max(burst, 1)
	return &clientLimiter{limit: limit, burst: burst, clients: map[string]*rate.Limiter{}, overflow: rate.NewLimiter(limit, burst)}
}

// allow reports whether client may send a request at now.
func (l *clientLimiter) allow(client string, now time.Time) bool {
	if l.limit == rate.Inf {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.clients[client]
	if !ok {
		if len(l.clients) >= maxTrackedClients {
			l.forgetIdle(now)
		}
		if len(l.clients) >= maxTrackedClients {
			return l.overflow.AllowN(now, 1)
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.clients[client] = lim
	}
	return lim.AllowN(now, 1)
}

// forgetIdle drops the limiters whose bucket is full again: a new one would be the same.
func (l *clientLimiter) forgetIdle(now time.Time) {
	for c, lim := range l.clients {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.clients, c)
		}
	}
}

// newLimiter returns a limiter of qps a second with bursts of burst; qps <= 0: unlimited.
func newLimiter(qps float64, burst int) *rate.Limiter {
	if qps <= 0 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	return rate.NewLimiter(rate.Limit(qps), max(burst, 1))
}
