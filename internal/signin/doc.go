// Package signin owns the hosted sign-in flow that completes a link: what
// the link page must do when the end user opens it (OpenLink: a redirect
// to the provider for OAuth2, with a fresh single-use state and PKCE
// verifier, or the credential form of the toolkit's scheme), the OAuth2
// callback (CompleteOAuth: burn the state, exchange the code, read the
// identity), the credential form's submission (SubmitCredentials, and
// CreateWithCredentials for credentials the application submits itself),
// the ACTIVE or FAILED state the account of the link ends in, with its
// reason, and the flow errors and page models the hosted pages show.
// When a link a session asked for connects its account, it tells the
// session (Sessions: sessions.Service.Connected), which moves its pin.
//
// It builds on package accounts, which creates accounts and their links,
// waits for one to leave INITIATED (Wait), and owns everything after:
// refresh, aliases, enabling, deleting; and on package sessions. It serves
// no HTTP; package web renders its pages.
//
// Threats and defences:
//   - A link opened late or twice: a link is usable until its expiry and
//     until it completes; an expired link fails its account, a used one is
//     refused.
//   - A forged or replayed OAuth2 callback: the state is random, stored
//     only as a hash, bound to one link, expires with it (stateTTL at
//     most), and is burnt before the code is exchanged, so a replay never
//     reaches the provider. The code is exchanged with the link's PKCE
//     verifier (RFC 7636), so a stolen code is useless elsewhere.
//   - A second browser completing a user's sign-in (login CSRF, RFC 9700
//     §4.7): opening a link binds its OAuth2 sign-in to that browser by a
//     cookie only it holds (LinkPage.Binding); a callback without it is
//     refused before the state is burnt, so it changes nothing.
//   - A re-authorization signed in as someone else: the account keeps its
//     id, so credentials of another upstream identity are refused
//     (checkIdentity) and sessions pinned to it keep reaching the same
//     person's data.
//   - Provider text in records and pages: a provider error becomes a known
//     code and a cleaned description (providerReason); raw bodies and
//     tokens never reach a reason, an error message or a log.
package signin
