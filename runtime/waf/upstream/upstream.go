// Package upstream is the server side of the WAF's reverse proxy, split like Caddy's
// reverseproxy into small pieces: Pool (a named set of members), Selector (the
// load-balancing policy), HealthChecker (active L7 checks marking members up or down) and
// the shared Transport. Docker discovery will later add and remove members of a Pool
// without touching the other pieces.
package upstream
