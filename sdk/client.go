package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/wire"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// apiPrefix starts every path of the Composio v3.1 API.
const apiPrefix = "/api/v3.1"

// defaultUserAgent identifies this SDK to the server.
const defaultUserAgent = "switchboard-go-sdk/0.1"

// maxRetries is how often an idempotent GET is repeated after a connection
// error or a 502, 503 or 504; the official SDKs also stop after 2.
const maxRetries = 2

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// Client talks to a Switchboard server (or any Composio v3.1 compatible
// API). It is safe for concurrent use.
type Client struct {
	apiKey     string
	baseURL    string
	httpClient *http.Client
	userAgent  string

	// retryDelay is the wait before the first retry; it doubles after.
	retryDelay time.Duration
	// pollInterval is the pause between polls of a server that does not
	// hold a request open for wait_seconds.
	pollInterval time.Duration
	// sleep waits for d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests through hc. Its Timeout,
// if set, also bounds how long WaitForConnection asks the server to hold a
// request open.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.httpClient = hc
		}
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a Client that authenticates with apiKey and sends requests to
// baseURL, for example "http://localhost:8080" or "https://host/prefix". A
// trailing slash is ignored and a path prefix is kept, as in the official
// SDKs. New makes no request.
func New(apiKey, baseURL string, opts ...Option) *Client {
	c := &Client{
		apiKey:       apiKey,
		baseURL:      strings.TrimRight(baseURL, "/"),
		httpClient:   &http.Client{Timeout: 60 * time.Second},
		userAgent:    defaultUserAgent,
		retryDelay:   250 * time.Millisecond,
		pollInterval: time.Second,
		sleep:        sleepContext,
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// sleepContext waits for d, or returns ctx's error if ctx ends first.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Page is one page of a list endpoint.
type Page[T any] struct {
	Items []T
	// NextCursor fetches the next page; it is empty on the last page.
	NextCursor string
	TotalPages int
	TotalItems int
}

// pageOf converts a wire page.
func pageOf[T any](r *wire.ListResponse[T]) *Page[T] {
	p := &Page[T]{Items: r.Items, TotalPages: r.TotalPages, TotalItems: r.TotalItems}
	if r.NextCursor != nil {
		p.NextCursor = *r.NextCursor
	}
	return p
}

// segment escapes one path parameter. Empty, "." and ".." segments are
// refused, because they would address another resource.
func segment(name, value string) (string, error) {
	switch value {
	case "":
		return "", fmt.Errorf("sdk: %s is empty", name)
	case ".", "..":
		return "", fmt.Errorf("sdk: %s %q is not a valid path segment", name, value)
	}
	return url.PathEscape(value), nil
}

// apiPath joins the API prefix and already escaped segments.
func apiPath(segments ...string) string {
	return apiPrefix + "/" + strings.Join(segments, "/")
}

// setCursor asks for the page at cursor, if one is given.
func setCursor(q url.Values, cursor string) {
	if cursor != "" {
		q.Set("cursor", cursor)
	}
}

// setLimit sets the page size, if one is given.
func setLimit(q url.Values, n int) {
	if n > 0 {
		q.Set("limit", strconv.Itoa(n))
	}
}

// setList sets key to the comma-joined values, the single-parameter array
// encoding the official SDKs use. Empty lists are left out.
func setList(q url.Values, key string, values []string) {
	if len(values) > 0 {
		q.Set(key, strings.Join(values, ","))
	}
}

// do sends one API call. in, if not nil, is sent as the JSON body; out, if
// not nil, receives the decoded JSON response. A non-2xx response becomes an
// *APIError. GETs are retried on connection errors and 502, 503 and 504;
// other methods are never retried, as they may not be idempotent.
func (c *Client) do(ctx context.Context, method, p string, query url.Values, in, out any) error {
	if c.baseURL == "" {
		return errors.New("sdk: base URL is empty")
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("sdk: encode %s %s: %w", method, p, err)
		}
	}
	u := c.baseURL + p
	if len(query) > 0 {
		u += "?" + query.Encode()
	}

	retries := 0
	if method == http.MethodGet {
		retries = maxRetries
	}
	delay := c.retryDelay
	for attempt := 0; ; attempt++ {
		resp, err := c.send(ctx, method, u, body)
		if (err == nil && !retryable(resp.StatusCode)) || attempt >= retries {
			if err != nil {
				return c.transportError(ctx, method, p, err)
			}
			return c.finish(method, p, resp, out)
		}
		if err == nil {
			drain(resp)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("sdk: %s %s: %w", method, p, ctx.Err())
		}
		if err := c.sleep(ctx, delay); err != nil {
			return fmt.Errorf("sdk: %s %s: %w", method, p, err)
		}
		delay *= 2
	}
}

// send makes one attempt.
func (c *Client) send(ctx context.Context, method, u string, body []byte) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("x-api-key", c.apiKey)
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.httpClient.Do(req)
}

// retryable reports whether a GET answered with status may be repeated.
func retryable(status int) bool {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// transportError wraps a failed round trip, preferring ctx's own error so
// that errors.Is(err, context.Canceled) works.
func (c *Client) transportError(ctx context.Context, method, p string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("sdk: %s %s: %w", method, p, ctx.Err())
	}
	return fmt.Errorf("sdk: %s %s: %w", method, p, err)
}

// finish decodes a response and closes its body.
func (c *Client) finish(method, p string, resp *http.Response, out any) error {
	defer drain(resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newAPIError(method, p, resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("sdk: decode %s %s response: %w", method, p, err)
	}
	return nil
}

// drain reads what is left of a body so the connection can be reused, and
// closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
}
