package waf

import (
	"strings"

	"github.com/rampart-sec/rampart/runtime/waf/inspect"
	"github.com/rampart-sec/rampart/runtime/waf/upstream"
)

// policyMode is what a site does with a request its inspector flags.
type policyMode string

const (
	modeBlock  policyMode = "block"  // answer 403 with the block page
	modeDetect policyMode = "detect" // log the event, forward the request
	modeOff    policyMode = "off"    // do not inspect
)

// site is a virtual host: hostnames routed to one pool under one policy.
type site struct {
	name      string
	hostnames []string
	pool      *upstream.Pool
	mode      policyMode
	inspector *inspect.Inspector // nil when mode is off
	counters  *siteCounters
}

// router finds the site for a Host header. Hostnames are matched exactly, ignoring case, a
// port and a trailing dot; a site without hostnames catches every other host.
type router struct {
	byHost   map[string]*site
	fallback *site
	sites    []*site
}

func newRouter(sites []*site) router {
	r := router{byHost: map[string]*site{}, sites: sites}
	for _, st := range sites {
		if len(st.hostnames) == 0 && r.fallback == nil {
			r.fallback = st
		}
		for _, h := range st.hostnames {
			key := canonicalHost(h)
			if _, taken := r.byHost[key]; !taken {
				r.byHost[key] = st
			}
		}
	}
	return r
}

// match returns the site for a Host header, or nil.
func (r *router) match(hostHeader string) *site {
	if st, ok := r.byHost[canonicalHost(hostHeader)]; ok {
		return st
	}
	return r.fallback
}

// canonicalHost strips the port and a trailing dot and lower-cases, allocating only when
// the host has upper-case letters.
func canonicalHost(host string) string {
	if strings.HasPrefix(host, "[") { // [::1]:8080
		if end := strings.IndexByte(host, ']'); end > 0 {
			host = host[1:end]
		}
	} else if colon := strings.IndexByte(host, ':'); colon >= 0 && strings.Count(host, ":") == 1 {
		host = host[:colon]
	}
	host = strings.TrimSuffix(host, ".")
	for i := 0; i < len(host); i++ {
		if 'A' <= host[i] && host[i] <= 'Z' {
			return strings.ToLower(host)
		}
	}
	return host
}
