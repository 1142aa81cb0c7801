package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// ErrBlockedAddress is matched (errors.Is) by the error of a request whose
// connection would have gone to an address the client may not reach:
// loopback without AllowLoopback, an address of another kind than the
// allowed host's name (a public name that resolves to loopback), or any
// private, link-local, metadata, documentation, multicast, reserved or
// unspecified address, ever.
var ErrBlockedAddress = errors.New("egress: address not allowed")

// ErrLoopbackOnly is matched (errors.Is) by the error of a request that a
// loopback-only client (Options.LoopbackOnly) refused because it would
// have left the machine; it also matches ErrBlockedAddress.
var ErrLoopbackOnly = fmt.Errorf("%w: the client is loopback-only (LoopbackOnly)", ErrBlockedAddress)

// addrClass says who may connect to an address.
type addrClass int

const (
	public   addrClass = iota // anyone
	loopback                  // clients of a loopback host, with AllowLoopback
	never                     // no one
)

// neverPrefixes are special-purpose ranges (RFC 6890) beyond what
// netip.Addr's methods cover. No upstream API lives there; the cloud
// metadata services, which hand out the host's credentials, do, and so
// does the network Switchboard runs in.
var neverPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network" (RFC 791); 0.0.0.0 reaches the local host on Linux
	netip.MustParsePrefix("240.0.0.0/4"),        // reserved (RFC 1112 §4), 255.255.255.255 limited broadcast
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud metadata
	netip.MustParsePrefix("168.63.129.16/32"),   // Azure WireServer
	netip.MustParsePrefix("fd00:ec2::254/128"),  // AWS instance metadata over IPv6
	netip.MustParsePrefix("100.64.0.0/10"),      // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),       // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),       // documentation (RFC 5737)
	netip.MustParsePrefix("192.88.99.0/24"),     // 6to4 relay anycast (RFC 7526)
	netip.MustParsePrefix("198.18.0.0/15"),      // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"),    // documentation
	netip.MustParsePrefix("203.0.113.0/24"),     // documentation
	netip.MustParsePrefix("64:ff9b:1::/48"),     // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),           // discard-only (RFC 6666)
	netip.MustParsePrefix("2001::/23"),          // IETF protocol assignments, Teredo
	netip.MustParsePrefix("2001:db8::/32"),      // documentation (RFC 3849)
	netip.MustParsePrefix("3fff::/20"),          // documentation (RFC 9637)
	netip.MustParsePrefix("fec0::/10"),          // site-local (deprecated, RFC 3879)
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
	case a.IsLoopback():
		return loopback
	case a.IsPrivate():
		// RFC 1918 and RFC 4193: the network Switchboard runs in.
		return never
	}
	for _, p := range neverPrefixes {
		if p.Contains(a) {
			return never
		}
	}
	if a.Is6() {
		b := a.As16()
		var v4 netip.Addr
		switch {
		case nat64.Contains(a):
			v4 = netip.AddrFrom4([4]byte(b[12:16]))
		case sixToFour.Contains(a):
			v4 = netip.AddrFrom4([4]byte(b[2:6]))
		case compat.Contains(a), siit.Contains(a):
			// Deprecated forms no upstream uses.
			return never
		default:
			return public
		}
		// A translated loopback address is the gateway's loopback, not
		// ours: only a public IPv4 address makes the form public.
		if classify(v4) == public {
			return public
		}
		return never
	}
	return public
}

// dialMode is what addresses a client may connect to.
type dialMode int

const (
	dialPublic   dialMode = iota // public addresses only: the host is a public name or address
	dialLoopback                 // loopback addresses only: the host is loopback and AllowLoopback is set
	dialNone                     // nothing: the host is loopback and AllowLoopback is not set
	dialOffHost                  // nothing: the host is not loopback and the client is LoopbackOnly
)

// modeFor returns the dial mode of a client for host; loopbackOnly is
// Options.LoopbackOnly.
func modeFor(host string, allowLoopback, loopbackOnly bool) dialMode {
	switch {
	case !IsLoopbackHost(host) && loopbackOnly:
		return dialOffHost
	case !IsLoopbackHost(host):
		return dialPublic
	case allowLoopback:
		return dialLoopback
	}
	return dialNone
}

// allowedAddr reports whether a client in mode m may connect to a.
func allowedAddr(a netip.Addr, m dialMode) bool {
	switch classify(a) {
	case public:
		return m == dialPublic
	case loopback:
		return m == dialLoopback
	}
	return false
}

// dialControl returns the net.Dialer ControlContext hook that vets every
// connection. It runs after name resolution and before the connect system
// call, on the very address being connected to, so a name that resolves to
// a public address for one lookup and a private one for the next (DNS
// rebinding) gains nothing.
func dialControl(m dialMode) func(context.Context, string, string, syscall.RawConn) error {
	return func(_ context.Context, network, address string, _ syscall.RawConn) error {
		return checkDial(network, address, m)
	}
}

// checkDial is the check of dialControl.
func checkDial(network, address string, m dialMode) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("%w: network %s", ErrBlockedAddress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address and port", ErrBlockedAddress, address)
	}
	if !allowedAddr(ap.Addr(), m) {
		switch {
		case m == dialOffHost:
			return fmt.Errorf("%w: %s is not loopback", ErrLoopbackOnly, ap.Addr())
		case classify(ap.Addr()) == loopback && m == dialNone:
			return fmt.Errorf("%w: %s is loopback and SWITCHBOARD_EGRESS_ALLOW_LOOPBACK is off", ErrBlockedAddress, ap.Addr())
		case m == dialLoopback:
			return fmt.Errorf("%w: %s is not a loopback address", ErrBlockedAddress, ap.Addr())
		}
		return fmt.Errorf("%w: %s is not a public address", ErrBlockedAddress, ap.Addr())
	}
	return nil
}

// IsLoopbackHost reports whether host, a host name or IP literal with or
// without a port or brackets (URL.Host or URL.Hostname), is a loopback IP
// literal (127.0.0.0/8, ::1, ::ffff:127.0.0.1), or localhost or a name
// under .localhost (RFC 6761 §6.3). It does no DNS: a client for any other
// name connects only to public addresses.
func IsLoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if a, err := netip.ParseAddr(host); err == nil {
		return classify(a) == loopback
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// ErrURL is matched (errors.Is) by the errors of CheckURL.
var ErrURL = errors.New("egress: URL not allowed")

// CheckURL checks, when it is configured, a URL that Switchboard will
// later call with credentials: an absolute https URL, or plain http to a
// loopback host (IsLoopbackHost); no user info; an IP literal must be a
// public address, or loopback; a loopback host only when allowLoopback is
// set (SWITCHBOARD_EGRESS_ALLOW_LOOPBACK). The clients check the same
// again on every connection, after DNS. The error (ErrURL) says what is
// wrong in a sentence that does not repeat the URL.
func CheckURL(raw string, allowLoopback bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%w: not an absolute URL", ErrURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: user info (user@) is not allowed in the URL", ErrURL)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%w: the scheme must be https", ErrURL)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("%w: the URL has no host", ErrURL)
	}
	if a, err := netip.ParseAddr(host); err == nil && classify(a) == never {
		return nil, fmt.Errorf("%w: private, link-local and other non-public addresses are never allowed", ErrURL)
	}
	if IsLoopbackHost(host) {
		if !allowLoopback {
			return nil, fmt.Errorf("%w: loopback hosts are allowed only when the operator sets SWITCHBOARD_EGRESS_ALLOW_LOOPBACK (local development)", ErrURL)
		}
		return u, nil
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("%w: plain http is allowed only to loopback hosts; use https", ErrURL)
	}
	return u, nil
}

// ListedLoopback reports whether host (URL.Host: a name or IP literal and
// a port) is a loopback host that hosts lists exactly, port included,
// compared as the client guard compares hosts. Only loopback hosts can be
// listed: a public name in hosts allows nothing.
func ListedLoopback(hosts []string, host string) bool {
	if !IsLoopbackHost(host) {
		return false
	}
	for _, h := range hosts {
		if IsLoopbackHost(h) && strings.EqualFold(canonicalHost("http", h), canonicalHost("http", host)) {
			return true
		}
	}
	return false
}

// ListedLoopbackURL is ListedLoopback of a URL's host; a URL that does
// not parse is not listed.
func ListedLoopbackURL(hosts []string, raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && ListedLoopback(hosts, u.Host)
}
