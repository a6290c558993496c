package waf

import (
	"fmt"
	"net/http"
)

// blockPage is what a blocked client sees. It names no rule (that would teach an attacker
// what to change) but gives the request id that support can look up in the logs.
const blockPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%d Request blocked</title></head>
<body>
<h1>Request blocked</h1>
<p>The web application firewall blocked this request because it looked like an attack.</p>
<p>If you think this is a mistake, contact the site's administrators and quote request ID <code>%s</code>.</p>
</body></html>
`

// writeBlockPage answers with status (403 unless a rule chose another, such as 400 for a
// body that does not parse) and the block page.
func writeBlockPage(w http.ResponseWriter, status int, requestID string) {
	if status < 400 || status > 599 {
		status = http.StatusForbidden
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// requestID is ours (hex and a dash), so it needs no HTML escaping.
	fmt.Fprintf(w, blockPage, status, requestID)
}
