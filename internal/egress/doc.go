// Package egress is the guarded way Switchboard reaches upstream APIs: it
// turns a caller-supplied endpoint into a URL on a toolkit's API
// (ResolveEndpoint) and sends requests with an HTTP client that can only
// reach that API's host (NewClient, Clients).
//
// Switchboard attaches an end user's credentials to every upstream request,
// and the proxy feature lets the caller, an agent whose input may be steered
// by anything it has read, choose the endpoint. Whatever the agent sends,
// the credentials must only ever go to the toolkit's API.
//
// # Threats and defences
//
// What the package defends against:
//
//   - An endpoint that names another host, so the credentials go to the
//     attacker: "https://evil.example/x", "//evil.example/x",
//     "\\evil.example", "https://gmail.googleapis.com@evil.example/",
//     "https://evil.example#@gmail.googleapis.com". ResolveEndpoint never
//     lets the endpoint choose the scheme, host or port: it builds the URL
//     from the base's scheme and host and takes only a path and a query
//     from the endpoint. An absolute URL is accepted only if it names
//     exactly the base's scheme, host and port (RFC 3986 §6.2.3 default
//     ports aside); userinfo, backslashes, fragments, percent signs and
//     other bytes in the authority are refused, so URL parsers that
//     disagree (the WHATWG URL standard reads "\" as "/", for one) have
//     nothing to disagree about.
//   - An endpoint that climbs out of the base path to reach another API on
//     the same host with the same token (www.googleapis.com serves
//     Calendar, Drive and more): "../drive/v3", "%2e%2e/", "%252e%252e/",
//     "..;/", "..%2f", "%c0%ae%c0%ae/" (overlong UTF-8), fullwidth dots and
//     slashes that NFKC-normalizing servers fold into "." and "/".
//     ResolveEndpoint refuses every dot segment (RFC 3986 §3.3) instead of
//     removing it, in any number of layers of percent-encoding, refuses
//     encoded slashes and backslashes, empty segments, control characters,
//     invalid UTF-8 and look-alikes of ".", "/", "\" and "%", and checks the
//     base path prefix segment by segment ("/gmail/v1x" is not under
//     "/gmail/v1"). It refuses rather than normalizes because the upstream,
//     or a proxy in front of it, might normalize differently.
//   - Request splitting and header injection: raw and percent-encoded
//     control characters (CR, LF, NUL and the rest) are refused in the path,
//     raw ones in the query.
//   - An upstream redirect that carries the credentials elsewhere. Clients
//     follow at most MaxRedirects redirects, and only to the same scheme,
//     host and port; any other redirect fails with ErrRedirect before a
//     request is sent, so the Authorization header is never replayed to
//     another host. The client then returns the redirect response (body
//     closed) alongside the error.
//   - Server-side request forgery into the network Switchboard runs in:
//     private and carrier-grade NAT ranges, link-local addresses and the
//     cloud metadata services (169.254.169.254, fd00:ec2::254,
//     100.100.100.200, Azure's 168.63.129.16), documentation, multicast,
//     broadcast and reserved addresses, including their IPv4-mapped,
//     IPv4-compatible, NAT64 and 6to4 forms, are refused always. Loopback
//     is refused too unless the operator sets
//     SWITCHBOARD_EGRESS_ALLOW_LOOPBACK (local development and tests), and
//     even then only a client whose host is itself loopback (127.0.0.1,
//     [::1], localhost) reaches it; a client for any other name connects
//     only to public addresses. One process may also list exact loopback
//     hosts with ports (Clients.LoopbackHosts): `switchboard demo` lists
//     its own provider's listener, so the demo reaches that one port and
//     no other local service, with the setting off. The check runs in the
//     dialer's Control
//     hook on the address actually being connected to, after DNS
//     resolution, for every new connection; a name that resolves to a
//     public address when checked and to 127.0.0.1 when connecting (DNS
//     rebinding) is still refused. CheckURL applies the same rule when a
//     URL is configured, so a bad one is refused with a clear error before
//     it is stored.
//   - Credentials in clear text on the network: a client speaks plain
//     http only to a loopback host with SWITCHBOARD_EGRESS_ALLOW_LOOPBACK;
//     everything else is https.
//   - A request to any host but the allowed one, whoever built it: the
//     client's transport refuses it before dialing (ErrHostNotAllowed),
//     and a Host header that differs from the URL's host too.
//   - A test reaching a real vendor: a test that connects a built-in
//     toolkit with a made-up key would send it to api.github.com and
//     pass or fail on whether the machine has internet. Test servers set
//     LoopbackOnly (Options, Clients; app.Options.EgressLoopbackOnly),
//     and their clients refuse every host that is not loopback
//     (ErrLoopbackOnly) before the DNS lookup, and every such address in
//     the dialer's Control hook. It is an option of the code that builds
//     the clients, not a setting an operator could leave on by mistake.
//   - HTTP_PROXY and friends in the environment redirecting upstream
//     traffic through a proxy that would see the credentials: the
//     transport uses no proxy.
//   - Slow or stalled upstreams tying up callers: dial, TLS handshake,
//     response header and whole-request timeouts.
//
// What it does not defend against:
//
//   - The agent calling any endpoint under the base path with the user's
//     credentials: that is the proxy feature. Scopes granted at connection
//     time bound what the credentials can do.
//   - A malicious or compromised upstream: it receives the credentials it
//     is meant to receive, and its responses are data the caller must
//     treat as untrusted (bound their size, never render them as HTML).
//   - Another service on Switchboard's own host when loopback is allowed:
//     whoever can set a base URL can then reach it. Leave
//     SWITCHBOARD_EGRESS_ALLOW_LOOPBACK off in production.
//   - An attacker who controls the host's trust store or DNS resolver
//     configuration beyond rebinding public names: TLS still authenticates
//     https hosts, but a plain-http base URL has no such protection.
//
// # Use
//
// The same base URL gives both the URL and the client:
//
//	u, err := egress.ResolveEndpoint(base, endpoint)
//	if err != nil { ... } // errors.Is(err, egress.ErrEndpoint): the caller's fault
//	req, _ := http.NewRequestWithContext(ctx, method, u.String(), body)
//	resp, err := clients.For(base).Do(req)
//
// Clients caches one client per host, so connections are pooled and
// reused across calls; build it once per process. No other package builds
// an http.Client or uses http.DefaultClient for outbound calls (a test in
// internal/e2e walks the source to keep it so).
package egress
