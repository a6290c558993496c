package inspect

import (
	"mime"
	"net/http"
	"strings"

	"github.com/valyala/bytebufferpool"
)

// maxArgNameInVerdict bounds the argument name copied into a Verdict (and so into logs):
// names are attacker-chosen.
const maxArgNameInVerdict = 64

// RuleSet is an Inspector running Rules over the URL path, each query argument (name and
// value) and, for application/x-www-form-urlencoded requests, each body argument.
type RuleSet struct {
	rules []compiledRule
}

// NewRuleSet returns the DefaultRules that run at the given paranoia level (1-4).
func NewRuleSet(paranoia int) *RuleSet {
	return NewRuleSetOf(DefaultRules, paranoia)
}

// NewRuleSetOf returns the rules that run at the given paranoia level.
func NewRuleSetOf(rules []Rule, paranoia int) *RuleSet {
	s := &RuleSet{}
	for i := range rules {
		if rules[i].Paranoia <= paranoia {
			s.rules = append(s.rules, compile(&rules[i]))
		}
	}
	return s
}

// Rules lists the rules that run.
func (s *RuleSet) Rules() []Rule {
	list := make([]Rule, len(s.rules))
	for i, r := range s.rules {
		list[i] = *r.Rule
	}
	return list
}

// WantsBody is true for URL-encoded form posts, the only body this rule set understands.
func (s *RuleSet) WantsBody(r *http.Request) bool {
	return IsFormContentType(r.Header.Get("Content-Type"))
}

// IsFormContentType reports whether a Content-Type header names a URL-encoded form.
func IsFormContentType(contentType string) bool {
	if contentType == "" {
		return false
	}
	// Fast path for the common exact value; mime parsing allocates.
	if contentType == "application/x-www-form-urlencoded" {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/x-www-form-urlencoded"
}

// Inspect checks r's path and query and, when given, its form body.
func (s *RuleSet) Inspect(r *http.Request, body []byte) Verdict {
	return s.InspectParts(rawPath(r), r.URL.RawQuery, body)
}

// InspectParts checks a raw (still encoded) path, a raw query string and a URL-encoded form
// body (nil when there is none).
func (s *RuleSet) InspectParts(path, rawQuery string, formBody []byte) Verdict {
	buf := bytebufferpool.Get()
	defer bytebufferpool.Put(buf)

	buf.B = append(buf.B[:0], path...)
	if rule := s.match(normalize(buf.B, false)); rule != nil {
		return verdict(rule, PartPath, "")
	}
	if v := s.inspectArgs(buf, rawQuery, PartQuery); v.Matched() {
		return v
	}
	if len(formBody) > 0 {
		if v := s.inspectArgs(buf, string(formBody), PartBody); v.Matched() {
			return v
		}
	}
	return Verdict{}
}

// inspectArgs checks every name and value of an a=1&b=2 string. Each value is normalized
// on its own, so text in one argument cannot combine with another into a false match.
func (s *RuleSet) inspectArgs(buf *bytebufferpool.ByteBuffer, args string, part Part) Verdict {
	for args != "" {
		var pair string
		pair, args, _ = strings.Cut(args, "&")
		name, value, _ := strings.Cut(pair, "=")
		buf.B = append(buf.B[:0], name...)
		if rule := s.match(normalize(buf.B, true)); rule != nil {
			return verdict(rule, part, name)
		}
		buf.B = append(buf.B[:0], value...)
		if rule := s.match(normalize(buf.B, true)); rule != nil {
			return verdict(rule, part, name)
		}
	}
	return Verdict{}
}

func (s *RuleSet) match(v []byte) *Rule {
	if len(v) == 0 {
		return nil
	}
	for i := range s.rules {
		if s.rules[i].matches(v) {
			return s.rules[i].Rule
		}
	}
	return nil
}

func verdict(rule *Rule, part Part, arg string) Verdict {
	if len(arg) > maxArgNameInVerdict {
		arg = arg[:maxArgNameInVerdict]
	}
	// Clone so the verdict never aliases a pooled buffer or a request body.
	return Verdict{RuleID: rule.ID, Message: rule.Message, Part: part, Arg: strings.Clone(arg)}
}

// rawPath is the path as the client sent it, before Go's decoding, so that the rules see
// every encoding trick; for requests built in-process it falls back to the escaped path.
func rawPath(r *http.Request) string {
	if r.RequestURI != "" && r.RequestURI != "*" {
		path, _, _ := strings.Cut(r.RequestURI, "?")
		return path
	}
	return r.URL.EscapedPath()
}
