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
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
)

// metadataAddresses are cloud instance metadata endpoints: AWS, GCP and Azure
// (169.254.169.254), AWS over IPv6 (fd00:ec2::254) and Alibaba Cloud (100.100.100.200).
var metadataAddresses = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// blockedAddressError is returned when a connection to a link-local or cloud metadata
// address is refused.
type blockedAddressError struct {
	addr netip.Addr
	kind string
}

func (e *blockedAddressError) Error() string {
	return fmt.Sprintf("refusing to connect to %s, a %s address", e.addr, e.kind)
}

// checkAddress refuses link-local (169.254.0.0/16, fe80::/10) and cloud metadata
// addresses. Loopback and private addresses are allowed: in-cluster registries live there.
func checkAddress(addr netip.Addr) error {
	addr = addr.WithZone("").Unmap()
	for _, m := range metadataAddresses {
		if addr == m {
			return &blockedAddressError{addr: addr, kind: "cloud metadata"}
		}
	}
	if addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() {
		return &blockedAddressError{addr: addr, kind: "link-local"}
	}
	return nil
}

// refuseBlockedAddresses is a net.Dialer Control function: it runs after DNS resolution
// and before the connection is made, so a name resolving to a blocked address is
// refused without any packet reaching it.
func refuseBlockedAddresses(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("unexpected dial address %q: %w", address, err)
	}
	return checkAddress(ap.Addr())
}

// addressGuard refuses requests to blocked IP literals before they reach the transport,
// also when a proxy would make the connection on our behalf, and checks the resolved
// addresses of host names sent through a proxy.
type addressGuard struct {
	inner    http.RoundTripper
	proxy    func(*http.Request) (*url.URL, error)
	resolver *net.Resolver
}

func (g addressGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.check(req.Context(), req); err != nil {
		closeBody(req)
		return nil, err
	}
	return g.inner.RoundTrip(req)
}

func (g addressGuard) check(ctx context.Context, req *http.Request) error {
	host := req.URL.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		return checkAddress(addr)
	}
	if g.proxy == nil {
		return nil // the dialer checks the resolved addresses
	}
	if p, err := g.proxy(req); err != nil || p == nil {
		return nil
	}
	addrs, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil // let the proxy report resolution failures
	}
	for _, a := range addrs {
		if err := checkAddress(a); err != nil {
			return err
		}
	}
	return nil
}

// closeBody closes a request body a RoundTripper will not send.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
