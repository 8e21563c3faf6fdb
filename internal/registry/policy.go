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
	"errors"
	"fmt"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Reasons a registry is refused, the end of the Forbidden message of Policy.Check.
const (
	whyBlocked    = "registry is blocked by --blocked-registries"
	whyNotAllowed = "registry is not in --allowed-registries"
	whyLinkLocal  = "registry address is link-local or a cloud metadata address"
)

// defaultPort is the port of a registry named without one.
const defaultPort = "443"

// dockerHubAliases are the names of Docker Hub; a policy treats them as one registry.
var dockerHubAliases = []string{"docker.io", "index.docker.io", "registry-1.docker.io"}

// Policy says which registries imports may reach. It is immutable and safe for
// concurrent use; a nil *Policy allows every registry that is not link-local or a cloud
// metadata address.
//
// A pattern is a host with an optional port: "quay.io", "*.example.com",
// "registry.local:5000", "*.internal:*", "[fd00::1]:5000". The host is a glob
// (path.Match syntax, case-insensitive): "*.example.com" matches "a.example.com" and
// "a.b.example.com" but not "example.com". A registry named without a port is on port
// 443, so a pattern without a port matches "host" and "host:443" only; a port matches
// that port only, and ":*" matches any port. An IP address pattern matches that address
// in any notation. The Docker Hub names docker.io, index.docker.io and
// registry-1.docker.io are one registry: a pattern matching one of them matches all.
//
// The policy applies to the registry named by an import, not to the token servers and
// blob locations (CDNs) that registry sends clients to; link-local and cloud metadata
// addresses are refused for every connection whatever the policy.
type Policy struct {
	allowed []registryPattern
	blocked []registryPattern
}

// registryPattern is a parsed allowed or blocked pattern.
type registryPattern struct {
	host string     // lower-case glob; unused when addr is valid
	addr netip.Addr // the address of an IP pattern
	port string     // digits, or "*" for any port
}

// NewPolicy parses allowed and blocked registry patterns. An empty allowed list allows
// every registry; a registry matching a blocked pattern is refused even when allowed.
func NewPolicy(allowed, blocked []string) (*Policy, error) {
	p := &Policy{}
	var errs []error
	for _, list := range []struct {
		flag     string
		patterns []string
		into     *[]registryPattern
	}{{"--allowed-registries", allowed, &p.allowed}, {"--blocked-registries", blocked, &p.blocked}} {
		for _, s := range list.patterns {
			pat, err := parsePattern(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("invalid registry pattern %q in %s: %w", s, list.flag, err))
				continue
			}
			*list.into = append(*list.into, pat)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// Check reports whether imports may reach registry, a host with an optional port as in an
// image reference ("quay.io", "registry.local:5000", "[fd00::1]:5000"). It does no I/O:
// a host name resolving to a link-local or cloud metadata address is refused later, when
// an import connects. A refusal is an *Error with Reason Forbidden and the message
// `importing images from registry "<registry>" is forbidden: <why>`; a malformed
// registry is a BadRequest *Error.
func (p *Policy) Check(registry string) error {
	host, port, err := splitHostPort(registry)
	if err != nil {
		return &Error{Reason: ReasonBadRequest, Err: err,
			Message: fmt.Sprintf("invalid registry %q: %v", registry, err)}
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if err := checkAddress(addr); err != nil {
			return forbiddenRegistry(registry, whyLinkLocal, err)
		}
	}
	if p == nil {
		return nil
	}
	if matchesAny(p.blocked, host, port) {
		return forbiddenRegistry(registry, whyBlocked, nil)
	}
	if len(p.allowed) > 0 && !matchesAny(p.allowed, host, port) {
		return forbiddenRegistry(registry, whyNotAllowed, nil)
	}
	return nil
}

// forbiddenRegistry returns the Forbidden *Error refusing registry.
func forbiddenRegistry(registry, why string, err error) *Error {
	return &Error{Reason: ReasonForbidden, Err: err,
		Message: fmt.Sprintf("importing images from registry %q is forbidden: %s", registry, why)}
}

// matchesAny reports whether a pattern matches host:port, or, for Docker Hub, any of its
// names on that port.
func matchesAny(patterns []registryPattern, host, port string) bool {
	hosts := []string{host}
	if port == defaultPort && isDockerHub(host) {
		hosts = dockerHubAliases
	}
	for _, pat := range patterns {
		for _, h := range hosts {
			if pat.matches(h, port) {
				return true
			}
		}
	}
	return false
}

// matches reports whether the pattern matches a normalized host and port.
func (p registryPattern) matches(host, port string) bool {
	if p.port != "*" && p.port != port {
		return false
	}
	if p.addr.IsValid() {
		addr, err := netip.ParseAddr(host)
		return err == nil && addr.WithZone("").Unmap() == p.addr
	}
	ok, err := path.Match(p.host, host)
	return err == nil && ok
}

// parsePattern parses "host-glob[:port|:*]".
func parsePattern(s string) (registryPattern, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return registryPattern{}, errors.New("the pattern is empty")
	}
	if strings.Contains(s, "/") {
		return registryPattern{}, errors.New("a pattern is a host with an optional port, without scheme or path")
	}
	host, port, err := cutPort(s, true)
	if err != nil {
		return registryPattern{}, err
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		return registryPattern{addr: addr.WithZone("").Unmap(), port: port}, nil
	}
	if strings.HasPrefix(s, "[") {
		return registryPattern{}, fmt.Errorf("%q is not an IPv6 address", host)
	}
	if _, err := path.Match(host, ""); err != nil {
		return registryPattern{}, fmt.Errorf("bad host glob: %w", err)
	}
	return registryPattern{host: strings.TrimSuffix(host, "."), port: port}, nil
}

// splitHostPort splits a registry into its lower-case host, without brackets or a final
// dot, and its port, "443" when there is none.
func splitHostPort(registry string) (host, port string, err error) {
	if registry == "" {
		return "", "", errors.New("the registry is empty")
	}
	host, port, err = cutPort(strings.ToLower(registry), false)
	if err != nil {
		return "", "", err
	}
	if strings.ContainsAny(host, "*?[]\\/") {
		return "", "", errors.New("the host contains characters not allowed in a host name")
	}
	return strings.TrimSuffix(host, "."), port, nil
}

// cutPort splits "host", "host:port", "[v6]" or "[v6]:port"; the port defaults to 443
// and may be "*" when wildcard is set.
func cutPort(s string, wildcard bool) (host, port string, err error) {
	host, port = s, defaultPort
	var rest string
	if _, err := netip.ParseAddr(s); err == nil {
		return s, port, nil // an IPv6 address without brackets, or an IPv4 one
	}
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return "", "", errors.New("missing ']' after an IPv6 address")
		}
		host, rest = s[1:end], s[end+1:]
		if rest != "" && !strings.HasPrefix(rest, ":") {
			return "", "", fmt.Errorf("unexpected %q after ']'", rest)
		}
	} else if i := strings.LastIndex(s, ":"); i >= 0 {
		host, rest = s[:i], s[i:]
		if strings.Contains(host, ":") {
			return "", "", errors.New("an IPv6 address must be in brackets, e.g. [fd00::1]:5000")
		}
	}
	if rest != "" {
		port = rest[1:]
		if n, err := strconv.ParseUint(port, 10, 16); (err != nil || n == 0) && !(wildcard && port == "*") {
			return "", "", fmt.Errorf("invalid port %q", port)
		}
		port = strings.TrimLeft(port, "0")
	}
	if host == "" {
		return "", "", errors.New("the host is empty")
	}
	return host, port, nil
}

// isDockerHub reports whether a normalized host is one of the names of Docker Hub.
func isDockerHub(host string) bool { return slices.Contains(dockerHubAliases, host) }
