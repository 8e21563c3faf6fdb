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
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

const (
	// maxRegistryLabels bounds the distinct values of the registry label: tenants choose
	// registry names, and each new one would otherwise be new time series forever.
	maxRegistryLabels = 200
	// otherRegistries is the registry label of the hosts seen after the first
	// maxRegistryLabels.
	otherRegistries = "other"
	// codeError is the code label of a request that got no response (connection refused,
	// DNS failure, TLS failure, timeout).
	codeError = "error"
)

// registryRequests counts the HTTP requests sent to registries (pings, token requests,
// manifests, blobs, tag lists), by registry host, method and response code.
var registryRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "imagestream_registry_requests_total",
	Help: "HTTP requests sent to container registries, by registry host, method and status code " +
		`("error" when no response was received).`,
}, []string{"registry", "method", "code"})

// registryRequestDuration observes the time from sending a request to a registry to its
// response headers.
var registryRequestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "imagestream_registry_request_duration_seconds",
	Help:    "Time from sending an HTTP request to a container registry to receiving its response headers, in seconds.",
	Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
}, []string{"registry", "method"})

func init() {
	metrics.Registry.MustRegister(registryRequests, registryRequestDuration)
}

// registryLabel returns the registry label of a request: its host as the request limits
// name it (lower-case, no default port, Docker Hub's names as one), or otherRegistries
// once maxRegistryLabels hosts have been seen. Never the repository, never credentials.
func registryLabel(req *http.Request) string {
	return seenRegistries.label(limitKey(req))
}

// registryLabelSet remembers the hosts given their own registry label.
type registryLabelSet struct {
	mu    sync.Mutex
	hosts map[string]struct{}
	max   int
}

var seenRegistries = &registryLabelSet{hosts: map[string]struct{}{}, max: maxRegistryLabels}

func (s *registryLabelSet) label(host string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.hosts[host]; ok {
		return host
	}
	if len(s.hosts) >= s.max {
		return otherRegistries
	}
	s.hosts[host] = struct{}{}
	return host
}

// instrumentedRequests counts and times the requests that reach the network.
type instrumentedRequests struct{ inner http.RoundTripper }

func (t instrumentedRequests) RoundTrip(req *http.Request) (*http.Response, error) {
	registry := registryLabel(req)
	start := time.Now()
	resp, err := t.inner.RoundTrip(req)
	registryRequestDuration.WithLabelValues(registry, req.Method).Observe(time.Since(start).Seconds())
	code := codeError
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	registryRequests.WithLabelValues(registry, req.Method, code).Inc()
	return resp, err
}
