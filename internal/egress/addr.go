package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// ErrBlockedAddress is matched (errors.Is) by the error of a request whose
// connection would have gone to an address the client may not reach:
// loopback or private without AllowPrivate, or link-local, metadata,
// multicast, reserved or unspecified ever.
var ErrBlockedAddress = errors.New("egress: address not allowed")

// addrClass says who may connect to an address.
type addrClass int

const (
	public  addrClass = iota // anyone
	private                  // clients with AllowPrivate
	never                    // no one
)

// neverPrefixes are refused even with AllowPrivate: no API lives there,
// and the cloud metadata services, which hand out the host's credentials,
// do.
var neverPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network" (RFC 791); 0.0.0.0 reaches the local host on Linux
	netip.MustParsePrefix("240.0.0.0/4"),        // reserved (RFC 1112 §4), 255.255.255.255 limited broadcast
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud metadata
	netip.MustParsePrefix("168.63.129.16/32"),   // Azure WireServer
	netip.MustParsePrefix("fd00:ec2::254/128"),  // AWS instance metadata over IPv6
}

// privatePrefixes are special-purpose ranges (RFC 6890) beyond what
// netip.Addr.IsPrivate and IsLoopback cover, refused without AllowPrivate.
var privatePrefixes = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (RFC 5737)
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast (RFC 7526)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),        // discard-only (RFC 6666)
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments, Teredo
	netip.MustParsePrefix("2001:db8::/32"),   // documentation (RFC 3849)
	netip.MustParsePrefix("3fff::/20"),       // documentation (RFC 9637)
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated, RFC 3879)
}

// Prefixes of IPv6 addresses that carry an IPv4 address, which is what
// the packets reach.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")    // RFC 6052, last 32 bits
	sixToFour = netip.MustParsePrefix("2002::/16")       // RFC 3056, bits 16 to 48
	compat    = netip.MustParsePrefix("::/96")           // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1)
	siit      = netip.MustParsePrefix("::ffff:0:0:0/96") // IPv4-translated (RFC 2765)
)

// classify says who may connect to a.
func classify(a netip.Addr) addrClass {
	a = a.WithZone("").Unmap() // IPv4-mapped: ::ffff:127.0.0.1 is 127.0.0.1
	switch {
	case !a.IsValid():
		return never
	case a.IsUnspecified(), a.IsMulticast(), a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		// 169.254.0.0/16 holds the metadata service at 169.254.169.254.
		return never
	}
	for _, p := range neverPrefixes {
		if p.Contains(a) {
			return never
		}
	}
	if a.IsLoopback() || a.IsPrivate() {
		return private
	}
	for _, p := range privatePrefixes {
		if p.Contains(a) {
			return private
		}
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return classify(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(a):
			return classify(netip.AddrFrom4([4]byte(b[2:6])))
		case compat.Contains(a), siit.Contains(a):
			return max(private, classify(netip.AddrFrom4([4]byte(b[12:16]))))
		}
	}
	return public
}

// allowedAddr reports whether a client may connect to a.
func allowedAddr(a netip.Addr, allowPrivate bool) bool {
	switch classify(a) {
	case public:
		return true
	case private:
		return allowPrivate
	}
	return false
}

// dialControl returns the net.Dialer ControlContext hook that vets every
// connection. It runs after name resolution and before the connect system
// call, on the very address being connected to, so a name that resolves to
// a public address for one lookup and a private one for the next (DNS
// rebinding) gains nothing.
func dialControl(allowPrivate bool) func(context.Context, string, string, syscall.RawConn) error {
	return func(_ context.Context, network, address string, _ syscall.RawConn) error {
		return checkDial(network, address, allowPrivate)
	}
}

// checkDial is the check of dialControl.
func checkDial(network, address string, allowPrivate bool) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("%w: network %s", ErrBlockedAddress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address and port", ErrBlockedAddress, address)
	}
	if !allowedAddr(ap.Addr(), allowPrivate) {
		return fmt.Errorf("%w: %s is not a public address", ErrBlockedAddress, ap.Addr())
	}
	return nil
}

// IsPrivateHost reports whether host, a host name or IP literal with or
// without a port or brackets (URL.Host or URL.Hostname), is a loopback,
// private or otherwise non-public IP literal, or localhost or a name under
// .localhost (RFC 6761 §6.3). It does no DNS: any other name is reported
// as not private, so the client built for it refuses private addresses.
//
// Callers set Options.AllowPrivate to IsPrivateHost(base.Host) of the
// toolkit's configured base URL: local providers and test servers on
// 127.0.0.1 work, and nothing else reaches the private network.
func IsPrivateHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if a, err := netip.ParseAddr(host); err == nil {
		return classify(a) != public
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
