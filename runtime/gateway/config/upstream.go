package config

import (
	"fmt"
	"net/url"
	"strconv"
)

// UpstreamProxy chains the gateway's outgoing connections through another proxy, e.g. a
// corporate proxy or another gateway's proxy port (nesting):
//
//	upstream_proxy {
//	  url    = "http://user:secret@proxy.corp:3128"
//	  bypass = ["internal.example.com", ".corp"]
//	}
//
// Tunnels and the cache port's fetches go through it with CONNECT, plain HTTP as
// absolute-URI requests; credentials travel as Proxy-Authorization and are never logged.
type UpstreamProxy struct {
	URL string `json:"url" hcl:"url,required" sensitive:"true"`
	// Bypass lists destinations reached directly: "host" exactly or ".domain" for every
	// subdomain.
	Bypass []string `json:"bypass,omitempty" hcl:"bypass,optional"`
}

// ParseProxyURL checks an upstream proxy URL and returns it parsed. Errors never repeat
// the URL: it may carry a password.
func ParseProxyURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("not a URL; write it as http://user:password@host:port")
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("scheme %q is not supported; write it as http://user:password@host:port", u.Scheme)
	}
	if u.Hostname() == "" || u.Port() == "" {
		return nil, fmt.Errorf("needs a host and a port, e.g. http://proxy.example.com:3128")
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return nil, fmt.Errorf("must not have a path or query; write it as http://user:password@host:port")
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return nil, fmt.Errorf("port %q is not a number", u.Port())
	}
	if err := CheckPort(port); err != nil {
		return nil, err
	}
	return u, nil
}

// Redacted is the URL as it may be logged: the password replaced by "xxxxx".
func (u *UpstreamProxy) Redacted() string {
	parsed, err := url.Parse(u.URL)
	if err != nil {
		return "(unparsable URL)"
	}
	return parsed.Redacted()
}
