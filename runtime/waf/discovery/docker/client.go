// Package docker is a small Docker Engine API client: just what Docker discovery needs
// (version negotiation, listing containers, inspecting images and containers, following
// events) plus a raw Do for tests that create containers.
//
// It deliberately does not use the official Docker client module: that pulls in dozens of
// packages and megabytes, and rampart-waf must stay a small static binary that runs in a
// FROM scratch image. The Engine API is plain HTTP + JSON, so net/http is enough.
package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// API versions. The client speaks the engine's newest version, capped at NewestAPIVersion
// (every field this package reads is unchanged from OldestAPIVersion up to it), and never
// below the engine's own minimum.
const (
	OldestAPIVersion = "1.24"
	NewestAPIVersion = "1.51"
)

// Defaults of Options fields left zero.
const (
	DefaultDialTimeout    = 5 * time.Second
	DefaultRequestTimeout = 10 * time.Second
)

// Options tune a Client.
type Options struct {
	TLS TLSMaterial
	// DialTimeout bounds connecting; RequestTimeout bounds one non-streaming call.
	DialTimeout    time.Duration
	RequestTimeout time.Duration
}

// Client talks to one Docker engine. It is safe for concurrent use.
type Client struct {
	endpoint       Endpoint
	baseURL        string // scheme://host used in request URLs
	http           *http.Client
	requestTimeout time.Duration

	mu         sync.Mutex
	apiVersion string // negotiated; "" until the first successful negotiation
}

// NewClient prepares a client for endpoint (unix:///path or tcp://host:port). TLS is used
// on tcp endpoints when TLS material is given or the port is 2376 (Docker's TLS port,
// verified against the system roots when no CA is given). Nothing is dialled yet.
func NewClient(rawEndpoint string, opts Options) (*Client, error) {
	ep, err := ParseEndpoint(rawEndpoint, !opts.TLS.Empty())
	if err != nil {
		return nil, err
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	dialer := &net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy: nil, // the engine is reached directly, never through HTTP_PROXY
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, ep.Network, ep.Address)
		},
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   opts.DialTimeout,
		ResponseHeaderTimeout: opts.RequestTimeout,
	}
	c := &Client{endpoint: ep, http: &http.Client{Transport: transport}, requestTimeout: opts.RequestTimeout}
	switch {
	case ep.Network == "unix":
		c.baseURL = "http://docker" // the host part is ignored by the unix dialer
		if !opts.TLS.Empty() {
			return nil, fmt.Errorf("docker endpoint %s: TLS material is for tcp:// endpoints; a unix socket needs none", ep)
		}
	case !opts.TLS.Empty() || strings.HasSuffix(ep.Address, ":"+tlsPort):
		tlsConfig, err := opts.TLS.Config()
		if err != nil {
			return nil, err
		}
		tlsConfig.ServerName = ep.Host()
		transport.TLSClientConfig = tlsConfig
		c.baseURL = "https://" + ep.Address
	default:
		c.baseURL = "http://" + ep.Address
	}
	return c, nil
}

// Endpoint is the engine this client talks to.
func (c *Client) Endpoint() Endpoint { return c.endpoint }

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// APIError is a non-2xx answer of the engine.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("docker engine answered %d: %s", e.Status, e.Message)
}

// IsNotFound reports whether err is the engine's 404 (no such container, image, ...).
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound
}

// versionInfo is the part of GET /version the client needs.
type versionInfo struct {
	Version       string `json:"Version"`
	APIVersion    string `json:"ApiVersion"`
	MinAPIVersion string `json:"MinAPIVersion"`
}

// APIVersion negotiates (once) and returns the API version spoken with the engine.
func (c *Client) APIVersion(ctx context.Context) (string, error) {
	c.mu.Lock()
	v := c.apiVersion
	c.mu.Unlock()
	if v != "" {
		return v, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	// Unversioned: every engine answers /version whatever versions it speaks.
	resp, err := c.send(ctx, http.MethodGet, "/version", nil, nil, "")
	if err != nil {
		return "", fmt.Errorf("docker %s: ask the engine's API version: %w", c.endpoint, err)
	}
	defer resp.Body.Close()
	var info versionInfo
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&info); err != nil {
		return "", fmt.Errorf("docker %s: decode /version: %w", c.endpoint, err)
	}
	v, err = negotiate(info.APIVersion, info.MinAPIVersion)
	if err != nil {
		return "", fmt.Errorf("docker %s (engine %s): %w", c.endpoint, info.Version, err)
	}
	c.mu.Lock()
	c.apiVersion = v
	c.mu.Unlock()
	return v, nil
}

// negotiate picks min(engine newest, NewestAPIVersion), raised to the engine's minimum.
func negotiate(engineNewest, engineMin string) (string, error) {
	if engineNewest == "" {
		return "", errors.New("the engine did not say which API version it speaks")
	}
	if versionLess(engineNewest, OldestAPIVersion) {
		return "", fmt.Errorf("the engine speaks API %s, older than %s (Docker 1.12); upgrade Docker", engineNewest, OldestAPIVersion)
	}
	v := engineNewest
	if versionLess(NewestAPIVersion, v) {
		v = NewestAPIVersion
	}
	if engineMin != "" && versionLess(v, engineMin) {
		v = engineMin
	}
	return v, nil
}

// versionLess compares "major.minor" numerically ("1.9" < "1.10").
func versionLess(a, b string) bool {
	am, an := splitVersion(a)
	bm, bn := splitVersion(b)
	if am != bm {
		return am < bm
	}
	return an < bn
}

func splitVersion(v string) (major, minor int) {
	majorText, minorText, _ := strings.Cut(v, ".")
	major, _ = strconv.Atoi(majorText)
	minor, _ = strconv.Atoi(minorText)
	return major, minor
}

// Do sends a versioned API request (path such as "/containers/json") and returns the
// response when its status is 2xx; otherwise the engine's message as *APIError. The caller
// closes the body. ctx bounds the whole call, body included.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body io.Reader, contentType string) (*http.Response, error) {
	v, err := c.APIVersion(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, method, "/v"+v+path, query, body, contentType)
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest && strings.Contains(apiErr.Message, "API version") {
			// The engine was upgraded or downgraded under us: negotiate again next time.
			c.mu.Lock()
			c.apiVersion = ""
			c.mu.Unlock()
		}
		return nil, fmt.Errorf("docker %s: %s %s: %w", c.endpoint, method, path, err)
	}
	return resp, nil
}

// getJSON sends a bounded GET and decodes its JSON answer into out.
func (c *Client) getJSON(ctx context.Context, path string, query url.Values, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	resp, err := c.Do(ctx, http.MethodGet, path, query, nil, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("docker %s: decode %s: %w", c.endpoint, path, err)
	}
	return nil
}

func (c *Client) send(ctx context.Context, method, path string, query url.Values, body io.Reader, contentType string) (*http.Response, error) {
	u := c.baseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, readAPIError(resp)
	}
	return resp, nil
}

// readAPIError turns an error answer ({"message": "..."}) into *APIError.
func readAPIError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var answer struct {
		Message string `json:"message"`
	}
	msg := strings.TrimSpace(string(data))
	if json.Unmarshal(data, &answer) == nil && answer.Message != "" {
		msg = answer.Message
	}
	return &APIError{Status: resp.StatusCode, Message: msg}
}

// filtersQuery encodes Docker's filters parameter: {"key": ["value", ...]}.
func filtersQuery(filters map[string][]string) string {
	data, _ := json.Marshal(filters) // a map of string slices always marshals
	return string(data)
}
