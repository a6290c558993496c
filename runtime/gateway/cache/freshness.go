package cache

import (
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// heuristicCap bounds the freshness guessed from Last-Modified when no rule matches
// (RFC 9111 §4.2.2 suggests 10% of the age; a day is the usual cap).
const heuristicCap = 24 * time.Hour

// Rule is a compiled refresh rule (config.RefreshRule).
type Rule struct {
	re             *regexp.Regexp
	min, max       time.Duration
	percent        int
	overrideExpire bool
}

// Rules are the refresh rules in order; the first that matches a URL applies.
type Rules []Rule

// CompileRules compiles the configured refresh rules.
func CompileRules(cfg []config.RefreshRule) (Rules, error) {
	rules := make(Rules, 0, len(cfg))
	for i, r := range cfg {
		re, err := r.Compile()
		if err != nil {
			return nil, fmt.Errorf("cache.refresh_rule[%d]: %w", i, err)
		}
		rules = append(rules, Rule{re: re, min: r.MinDuration(), max: r.MaxDuration(), percent: r.Percent, overrideExpire: r.OverrideExpire})
	}
	return rules, nil
}

func (rs Rules) match(url string) *Rule {
	for i := range rs {
		if rs[i].re.MatchString(url) {
			return &rs[i]
		}
	}
	return nil
}

// Lifetime is how long a response received at now stays fresh in a shared cache:
// s-maxage, then max-age, then Expires, unless a matching rule overrides them; else the
// rule's min/percent/max over the Last-Modified age; else the RFC heuristic.
func (rs Rules) Lifetime(url string, h http.Header, now time.Time) time.Duration {
	cc := ParseCacheControl(h.Values("Cache-Control"))
	date := parseHTTPTime(h.Get("Date"), now)
	rule := rs.match(url)
	if explicit, ok := explicitLifetime(cc, h, date); ok && (rule == nil || !rule.overrideExpire) {
		return explicit
	}
	lastModified, hasLM := time.Time{}, false
	if lm := h.Get("Last-Modified"); lm != "" {
		if t, err := http.ParseTime(lm); err == nil && !t.After(date) {
			lastModified, hasLM = t, true
		}
	}
	if rule != nil {
		ttl := rule.min
		if hasLM {
			ttl = max(ttl, date.Sub(lastModified)*time.Duration(rule.percent)/100)
		}
		if rule.max > 0 {
			ttl = min(ttl, rule.max)
		}
		return ttl
	}
	if hasLM {
		return min(date.Sub(lastModified)/10, heuristicCap)
	}
	return 0
}

func explicitLifetime(cc CacheControl, h http.Header, date time.Time) (time.Duration, bool) {
	switch {
	case cc.HasSMaxAge:
		return cc.SMaxAge, true
	case cc.HasMaxAge:
		return cc.MaxAge, true
	}
	if exp, ok := h["Expires"]; ok {
		t, err := http.ParseTime(exp[0])
		if err != nil { // an invalid Expires ("0") means already expired
			return 0, true
		}
		return max(t.Sub(date), 0), true
	}
	return 0, false
}

func parseHTTPTime(s string, fallback time.Time) time.Time {
	if t, err := http.ParseTime(s); err == nil {
		return t
	}
	return fallback
}

// Storable says whether a response to req may be kept in a shared cache, and why not.
func Storable(method string, reqHeader http.Header, status int, h http.Header) (bool, string) {
	if method != http.MethodGet {
		return false, "method " + method
	}
	switch status {
	case http.StatusOK, http.StatusNonAuthoritativeInfo, http.StatusMovedPermanently,
		http.StatusPermanentRedirect, http.StatusNotFound, http.StatusGone:
	default:
		return false, fmt.Sprintf("status %d", status)
	}
	reqCC := ParseCacheControl(reqHeader.Values("Cache-Control"))
	cc := ParseCacheControl(h.Values("Cache-Control"))
	switch {
	case reqCC.NoStore || cc.NoStore:
		return false, "no-store"
	case cc.Private:
		return false, "private"
	case reqHeader.Get("Authorization") != "" && !cc.Public && !cc.HasSMaxAge && !cc.MustRevalidate:
		return false, "authorized request"
	case h.Get("Set-Cookie") != "" && !cc.Public:
		return false, "sets a cookie"
	case h.Get("Content-Range") != "":
		return false, "partial content"
	}
	for _, f := range varyFields(h) {
		if f == "*" {
			return false, "Vary: *"
		}
	}
	return true, ""
}
