// Package upstream is the server side of the WAF's reverse proxy, split like Caddy's
// reverseproxy into small pieces:
//
//   - Pool (pool.go): a named set of members, static from the configuration and dynamic
//     from discovery (membership.go, SetMembers), swapped as immutable snapshots so a
//     request never sees a half-updated set;
//   - Member (member.go): one upstream server, its connections and its counters;
//   - selection policies (roundrobin.go, leastconn.go, source.go): pick an UP member;
//   - retries (retry.go): an idempotent request that could not connect goes to another member;
//   - health (health.go, healthcheck*.go, passive.go): active L7 checks and passive
//     failure counting mark members UP or DOWN, with the original appliance's health view;
//   - the lean HTTP/1.1 path (h1proxy.go, h1conn.go, h1idle.go, h1request.go,
//     h1response.go, hopbyhop.go): the member's own keep-alive connections, written and
//     read by the request's goroutine, for requests without a large or streamed body;
//     the rest (upgrades, CONNECT, Expect, large bodies) goes through
//     httputil.ReverseProxy and http.Transport;
//   - the shared transport settings (transport.go).
package upstream
