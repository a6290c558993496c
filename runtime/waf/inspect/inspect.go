// Package inspect decides whether an HTTP request (and, when a policy asks, its response)
// is an attack. It runs the OWASP Core Rule Set v4, embedded in the binary, on the Coraza
// ModSecurity-language engine, under each site's policy: mode, paranoia level, anomaly
// thresholds, exclusions, custom rules and limits.
//
// An Inspector serves one site. Sites and reloads whose policies produce the same rule
// engine configuration share one compiled engine, because compiling the Core Rule Set
// costs hundreds of milliseconds and tens of megabytes. The @rx operator runs on a lazy
// DFA (rx.go, package dfa); PERFORMANCE.md has the figures and what is left.
package inspect

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
)

// Inspector inspects the requests of one site under its policy. It is safe for
// concurrent use.
type Inspector struct {
	policy Policy
	engine *engine
}

// New compiles (or reuses) the rule engine for policy p. Mode off needs no inspector.
func New(p Policy) (*Inspector, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if p.Mode == ModeOff {
		return nil, errors.New("policy mode off inspects nothing: do not create an inspector")
	}
	e, err := compile(directives(&p))
	if err != nil {
		return nil, fmt.Errorf("policy (mode %s, paranoia level %d): %w; check crs_setup, custom_rules and exclusions", p.Mode, p.ParanoiaLevel, err)
	}
	return &Inspector{policy: p, engine: e}, nil
}

// Mode is block or detect.
func (in *Inspector) Mode() Mode { return in.policy.Mode }

// BodyLimit is the most request-body bytes the rules inspect. In block mode a longer body
// must be refused (413), never forwarded half-inspected.
func (in *Inspector) BodyLimit() int { return in.policy.RequestBodyLimit }

// InspectsResponses reports whether responses go through the outbound rules.
func (in *Inspector) InspectsResponses() bool { return in.policy.ResponseInspection }

// RuleCount is the number of compiled rules.
func (in *Inspector) RuleCount() int { return in.engine.rules }

// InspectsBody reports whether r has a body the rules should see: not for requests
// without one, nor for the policy's upload paths.
func (in *Inspector) InspectsBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return false
	}
	return in.policy.inspectsBodyOf(cleanPath(r.URL.Path))
}

// cleanPath resolves . and .. so that /upload/../admin is not treated as an upload path.
func cleanPath(p string) string {
	if !strings.Contains(p, "/.") && !strings.Contains(p, "//") {
		return p // already clean: the common case, without allocating
	}
	return path.Clean("/" + p)
}
