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
	"fmt"
	"math"
	"runtime"
	"time"
)

const (
	// DefaultRequestTimeout bounds each HTTP request when Options.RequestTimeout is 0.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultMaxManifestBytes is the manifest size limit when Options.MaxManifestBytes is 0.
	DefaultMaxManifestBytes int64 = 4 << 20
	// DefaultMaxConfigBytes is the config blob size limit when Options.MaxConfigBytes is 0.
	DefaultMaxConfigBytes int64 = 8 << 20
	// DefaultListCacheSize is the number of manifest-list choices remembered when
	// Options.ListCacheSize is 0.
	DefaultListCacheSize = 4096
	// DefaultUserAgent is sent when Options.UserAgent is empty.
	DefaultUserAgent = "imagestream-operator"
	// DefaultRegistryQPS is the request rate per registry host, in requests per second,
	// when Options.RegistryQPS is 0.
	DefaultRegistryQPS = 10.0
	// DefaultRegistryBurst is the number of requests per registry host that may exceed
	// the rate at once when Options.RegistryBurst is 0.
	DefaultRegistryBurst = 20
	// DefaultMaxConcurrentRequestsPerRegistry is the number of requests in flight per
	// registry host when Options.MaxConcurrentRequestsPerRegistry is 0.
	DefaultMaxConcurrentRequestsPerRegistry = 8
)

// Platform is an operating system and CPU architecture, with an optional CPU variant.
type Platform struct {
	// OS is the operating system, e.g. "linux".
	OS string
	// Architecture is the CPU architecture, e.g. "amd64".
	Architecture string
	// Variant is the CPU variant, e.g. "v8"; it is ignored when choosing from a manifest list.
	Variant string
}

// String returns "os/arch" or "os/arch/variant".
func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// Options configures an Importer. The zero value is usable: every field has a default.
type Options struct {
	// RequestTimeout bounds each HTTP request, including reading its body; default 30s.
	RequestTimeout time.Duration
	// MaxManifestBytes is the largest manifest or manifest list accepted; default 4 MiB.
	MaxManifestBytes int64
	// MaxConfigBytes is the largest image config blob accepted; default 8 MiB.
	MaxConfigBytes int64
	// ControlPlanePlatform fills a missing prefer-arch or prefer-os when a Legacy import
	// chooses from a manifest list; default runtime.GOOS/runtime.GOARCH.
	ControlPlanePlatform Platform
	// UserAgent is sent with every request; default DefaultUserAgent.
	UserAgent string
	// ListCacheSize is the number of (manifest list, preferences) → chosen child entries
	// remembered, so that re-checking an unchanged list costs one HEAD; default 4096.
	ListCacheSize int

	// AllowedRegistries are the registries imports may reach, as Policy patterns
	// ("quay.io", "*.example.com", "registry.local:5000", "*.internal:*"); empty allows
	// every registry. See Policy for the matching rules.
	AllowedRegistries []string
	// BlockedRegistries are the registries imports may not reach, as Policy patterns;
	// they win over AllowedRegistries. Link-local and cloud metadata addresses are always
	// refused. Call Validate to detect invalid patterns: an Importer whose patterns do not
	// parse refuses every registry.
	BlockedRegistries []string
	// RegistryQPS is the request rate allowed per registry host, shared by all imports,
	// in requests per second, with bursts of RegistryBurst; default 10 (DefaultRegistryQPS).
	// A negative value means unlimited. Requests wait for their turn within their
	// context; waiting does not count towards RequestTimeout.
	RegistryQPS float64
	// RegistryBurst is the number of requests per registry host that may be sent at once
	// above RegistryQPS; default 20 (DefaultRegistryBurst).
	RegistryBurst int
	// MaxConcurrentRequestsPerRegistry caps the requests in flight per registry host,
	// shared by all imports; default 8 (DefaultMaxConcurrentRequestsPerRegistry). A
	// negative value means unlimited. A request is in flight until its response body is
	// read or closed.
	MaxConcurrentRequestsPerRegistry int

	// Mirrors are tried, in order, before the registries they mirror; see Mirror.
	// Credentials for a mirror come from the pull secrets' entries for the mirror's host.
	Mirrors []Mirror
	// MirrorSourcePolicy is AllowContactingSource (the default, "") or NeverContactSource.
	MirrorSourcePolicy string
}

// Validate reports invalid AllowedRegistries and BlockedRegistries patterns and an unknown
// MirrorSourcePolicy.
func (o Options) Validate() error {
	switch o.MirrorSourcePolicy {
	case "", AllowContactingSource, NeverContactSource:
	default:
		return fmt.Errorf("mirror source policy %q: valid values are %s and %s", o.MirrorSourcePolicy, AllowContactingSource, NeverContactSource)
	}
	_, err := NewPolicy(o.AllowedRegistries, o.BlockedRegistries)
	return err
}

// withDefaults returns o with every unset field defaulted.
func (o Options) withDefaults() Options {
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MaxManifestBytes <= 0 {
		o.MaxManifestBytes = DefaultMaxManifestBytes
	}
	if o.MaxConfigBytes <= 0 {
		o.MaxConfigBytes = DefaultMaxConfigBytes
	}
	if o.ControlPlanePlatform.OS == "" {
		o.ControlPlanePlatform.OS = runtime.GOOS
	}
	if o.ControlPlanePlatform.Architecture == "" {
		o.ControlPlanePlatform.Architecture = runtime.GOARCH
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.ListCacheSize <= 0 {
		o.ListCacheSize = DefaultListCacheSize
	}
	if o.RegistryQPS == 0 || math.IsNaN(o.RegistryQPS) {
		o.RegistryQPS = DefaultRegistryQPS
	}
	if o.RegistryBurst <= 0 {
		o.RegistryBurst = DefaultRegistryBurst
	}
	if o.MaxConcurrentRequestsPerRegistry == 0 {
		o.MaxConcurrentRequestsPerRegistry = DefaultMaxConcurrentRequestsPerRegistry
	}
	return o
}
