// Package inspect decides whether an HTTP request is an attack. Inspector is the seam: the
// first implementation is RuleSet, a small readable set of SQL injection and XSS rules over
// the decoded URL and form bodies; a ModSecurity-language engine running the OWASP Core
// Rule Set will implement the same interface.
package inspect

import "net/http"

// Inspector examines a request before it is proxied.
type Inspector interface {
	// WantsBody reports whether Inspect needs r's body. The caller then buffers it, up to
	// its own limit, and passes it to Inspect; otherwise Inspect gets a nil body.
	WantsBody(r *http.Request) bool
	// Inspect returns the verdict for r. It must not read r.Body; body holds it when asked.
	Inspect(r *http.Request, body []byte) Verdict
}

// Verdict is the outcome of an inspection. The zero Verdict means nothing matched.
type Verdict struct {
	RuleID  string // e.g. "sqli-union-select"; empty when nothing matched
	Message string // what the rule detects, for logs and the block page
	Part    Part   // where it matched
	Arg     string // the argument name when Part is query or body (truncated)
}

// Matched reports whether a rule matched.
func (v Verdict) Matched() bool { return v.RuleID != "" }

// Part names where in the request a rule matched.
type Part string

const (
	PartPath  Part = "path"
	PartQuery Part = "query"
	PartBody  Part = "body"
)
