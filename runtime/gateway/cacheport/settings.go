package cacheport

import (
	"fmt"
	"net/netip"
	"regexp"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/cache"
	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// settings are the reloadable parts of the configuration, compiled once and swapped
// atomically.
type settings struct {
	rules cache.Rules
	// patchClients and patchURLs decide which requests are patch mode.
	patchClients    []netip.Prefix
	patchURLs       []*regexp.Regexp
	patchRevalidate time.Duration
}

func buildSettings(cfg *config.Config) (*settings, error) {
	rules, err := cache.CompileRules(cfg.Cache.RefreshRules)
	if err != nil {
		return nil, err
	}
	st := &settings{rules: rules}
	if p := cfg.Patch; p != nil {
		for _, c := range p.AllowedClients {
			prefix, err := netip.ParsePrefix(c)
			if err != nil {
				return nil, fmt.Errorf("patch.allowed_clients: %w", err)
			}
			st.patchClients = append(st.patchClients, prefix.Masked())
		}
		for _, pat := range p.URLPatterns {
			re, err := regexp.Compile("(?i)" + pat)
			if err != nil {
				return nil, fmt.Errorf("patch.url_patterns: %w", err)
			}
			st.patchURLs = append(st.patchURLs, re)
		}
		st.patchRevalidate = p.RevalidateAfter()
	}
	return st, nil
}

// patchClient says whether patch mode serves client.
func (st *settings) patchClient(client netip.Addr) bool {
	client = client.Unmap()
	for _, p := range st.patchClients {
		if p.Contains(client) {
			return true
		}
	}
	return false
}

// patchURL says whether url is a patch file.
func (st *settings) patchURL(url string) bool {
	for _, re := range st.patchURLs {
		if re.MatchString(url) {
			return true
		}
	}
	return false
}
