package inspect

import (
	"bytes"
	"regexp"
)

// Rule is one detection: a regular expression over a normalized value (lower case,
// decoded, comments removed). Needles are literals one of which must occur for the pattern
// to possibly match; they let benign values skip the regular expression. Go's regexp
// runs in linear time, so no input can make a rule slow (no ReDoS).
type Rule struct {
	ID       string
	Message  string
	Paranoia int // the lowest paranoia level at which the rule runs
	Needles  []string
	Pattern  *regexp.Regexp
}

// compiledRule is a Rule with its needles as bytes, converted once rather than per value.
type compiledRule struct {
	*Rule
	needles [][]byte
}

func compile(r *Rule) compiledRule {
	c := compiledRule{Rule: r}
	for _, n := range r.Needles {
		c.needles = append(c.needles, []byte(n))
	}
	return c
}

// matches reports whether the rule matches the normalized value v.
func (r *compiledRule) matches(v []byte) bool {
	if len(r.needles) > 0 && !containsAny(v, r.needles) {
		return false
	}
	return r.Pattern.Match(v)
}

func containsAny(v []byte, needles [][]byte) bool {
	for _, n := range needles {
		if bytes.Contains(v, n) {
			return true
		}
	}
	return false
}

// quote is any SQL string or identifier quote.
const quote = "['\"`]"

// DefaultRules is the built-in rule set. Each rule targets the syntax an attack needs, not
// single keywords, so words like "select", "union" or "O'Brien" in ordinary text pass.
var DefaultRules = []Rule{
	{
		ID:       "sqli-tautology",
		Paranoia: 1,
		Message:  "SQL injection: always-true condition after a quote or number (' OR '1'='1)",
		Needles:  []string{"or", "and", "||", "&&"},
		Pattern: regexp.MustCompile(
			`(?:` + quote + `|\)|\b\d+)\s*(?:or|and|xor|\|\||&&)\s*\(*\s*` + quote + `?\s*[\w.@-]+\s*` + quote + `?\s*(?:=|<>|!=|<=|>=|<|>|\blike\b|\bis\b|\bregexp\b)` +
				`|` + quote + `\s*(?:or|and|\|\||&&)\s+(?:true|false|not)\b`),
	},
	{
		ID:       "sqli-union-select",
		Paranoia: 1,
		Message:  "SQL injection: UNION SELECT",
		Needles:  []string{"union"},
		Pattern:  regexp.MustCompile(`\bunion\b(?:\s+(?:all|distinct))?\s*\(*\s*select\b`),
	},
	{
		ID:       "sqli-stacked-query",
		Paranoia: 1,
		Message:  "SQL injection: a second statement after ';' (; DROP TABLE)",
		Needles:  []string{";"},
		Pattern: regexp.MustCompile(
			`;\s*(?:drop|alter|truncate|create)\s+(?:table|database|schema|view|user|index)\b` +
				`|;\s*(?:delete\s+from|insert\s+into|update\s+\S+\s+set|exec(?:ute)?\s|shutdown\b|declare\s+@)`),
	},
	{
		ID:       "sqli-comment-after-quote",
		Paranoia: 1,
		Message:  "SQL injection: a quote closed and the rest of the query commented out (admin'--)",
		Needles:  []string{"'", "\"", "`"},
		Pattern:  regexp.MustCompile(quote + `\s*\)*\s*(?:--|#|/\*)`),
	},
	{
		ID:       "sqli-time-delay",
		Paranoia: 1,
		Message:  "SQL injection: time-based probe (SLEEP, BENCHMARK, WAITFOR DELAY)",
		Needles:  []string{"sleep", "benchmark", "waitfor"},
		Pattern:  regexp.MustCompile(`\b(?:sleep|pg_sleep|benchmark)\s*\(|\bwaitfor\s+(?:delay|time)\b`),
	},
	{
		ID:       "sqli-data-access",
		Paranoia: 1,
		Message:  "SQL injection: schema or file access (information_schema, LOAD_FILE, INTO OUTFILE)",
		Needles:  []string{"information_schema", "load_file", "outfile", "dumpfile", "extractvalue", "updatexml"},
		Pattern:  regexp.MustCompile(`\binformation_schema\b|\b(?:load_file|extractvalue|updatexml)\s*\(|\binto\s+(?:out|dump)file\b`),
	},
	{
		ID:       "xss-script-tag",
		Paranoia: 1,
		Message:  "XSS: <script> tag",
		Needles:  []string{"<"},
		Pattern:  regexp.MustCompile(`<\s*/?\s*script\b`),
	},
	{
		ID:       "xss-event-handler",
		Paranoia: 1,
		Message:  "XSS: HTML event handler attribute (onerror=, onload=)",
		Needles:  []string{"="},
		Pattern:  regexp.MustCompile(`<[a-z!/?][^>]*?[\s/"'` + "`" + `]on[a-z]{3,}\s*=|` + quote + `\s*/?\s*on[a-z]{3,}\s*=`),
	},
	{
		ID:       "xss-script-uri",
		Paranoia: 1,
		Message:  "XSS: script URI (javascript:, vbscript:, data:text/html)",
		Needles:  []string{":"},
		Pattern:  regexp.MustCompile(`\b(?:j\s*a\s*v\s*a|v\s*b|l\s*i\s*v\s*e)\s*s\s*c\s*r\s*i\s*p\s*t\s*:|\bdata\s*:\s*text/html\b`),
	},
	{
		ID:       "xss-dangerous-tag",
		Paranoia: 1,
		Message:  "XSS: tag that loads or runs content (<iframe>, <object>, <embed>, <base>, ...)",
		Needles:  []string{"<"},
		Pattern:  regexp.MustCompile(`<\s*(?:iframe|frame|frameset|object|embed|applet|meta|base|link|style)\b`),
	},
	{
		ID:       "xss-script-sink",
		Paranoia: 1,
		Message:  "XSS: JavaScript sink (document.cookie, eval()",
		Needles:  []string{"document", "eval", "settimeout", "setinterval"},
		Pattern:  regexp.MustCompile(`\bdocument\s*\.\s*(?:cookie|domain|write)\b|\b(?:eval|settimeout|setinterval)\s*\(`),
	},
}
