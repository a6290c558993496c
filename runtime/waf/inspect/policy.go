package inspect

import (
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// Mode is what a site does with a request the rules flag.
type Mode string

const (
	ModeBlock  Mode = "block"  // evaluate, log and refuse (anomaly scoring decides)
	ModeDetect Mode = "detect" // evaluate and log, never refuse (DetectionOnly)
	ModeOff    Mode = "off"    // no inspection at all
)

// DefaultResponseBodyLimit is the most response-body bytes inspected when a policy turns
// response inspection on (Coraza's recommended value).
const DefaultResponseBodyLimit = 512 << 10

// Policy is a site's config.Policy with every default applied: the single input from which
// the rule engine's directives are generated.
type Policy struct {
	Mode               Mode
	ParanoiaLevel      int
	InboundThreshold   int
	OutboundThreshold  int
	Exclusions         []config.Exclusion
	CustomRules        []string
	CRSSetup           []string
	RequestBodyLimit   int
	ArgumentsLimit     int
	UploadPaths        []string
	ResponseInspection bool
}

// PolicyFrom applies the defaults of the configuration contract to p (nil means all
// defaults) and checks what the directives embed verbatim.
func PolicyFrom(p *config.Policy) (Policy, error) {
	if p == nil {
		p = &config.Policy{}
	}
	out := Policy{
		Mode:               Mode(p.Mode),
		ParanoiaLevel:      p.ParanoiaLevel,
		InboundThreshold:   p.InboundThreshold,
		OutboundThreshold:  p.OutboundThreshold,
		Exclusions:         p.Exclusions,
		CustomRules:        p.CustomRules,
		CRSSetup:           p.CRSSetup,
		RequestBodyLimit:   p.RequestBodyLimit,
		ArgumentsLimit:     p.ArgumentsLimit,
		UploadPaths:        p.UploadPaths,
		ResponseInspection: p.ResponseInspection,
	}
	if out.Mode == "" {
		out.Mode = ModeBlock
	}
	defaults := []struct {
		field *int
		value int
	}{
		{&out.ParanoiaLevel, 1},
		{&out.InboundThreshold, config.DefaultInboundThreshold},
		{&out.OutboundThreshold, config.DefaultOutboundThreshold},
		{&out.RequestBodyLimit, config.DefaultRequestBodyLimit},
		{&out.ArgumentsLimit, config.DefaultArgumentsLimit},
	}
	for _, d := range defaults {
		if *d.field == 0 {
			*d.field = d.value
		}
	}
	return out, out.check()
}

func (p Policy) check() error {
	switch p.Mode {
	case ModeBlock, ModeDetect, ModeOff:
	default:
		return fmt.Errorf("policy.mode %q is not one of block, detect, off", p.Mode)
	}
	if p.ParanoiaLevel < 1 || p.ParanoiaLevel > 4 {
		return fmt.Errorf("policy.paranoia_level %d is not in 1-4", p.ParanoiaLevel)
	}
	for i, e := range p.Exclusions {
		// Path and argument are written into SecLang rules: refuse what could break out of
		// the quoted operator or the ctl action rather than escaping it.
		if strings.ContainsAny(e.PathPrefix, " \t\r\n\"'\\,;") {
			return fmt.Errorf("policy.exclusion[%d].path_prefix %q: use a plain URL path without spaces, quotes, commas or semicolons", i, e.PathPrefix)
		}
		if !validArgumentName(e.Argument) {
			return fmt.Errorf("policy.exclusion[%d].argument %q: use letters, digits and . _ - [ ] only (JSON fields are named json.a.b)", i, e.Argument)
		}
		for _, tag := range e.Tags {
			if tag == "" || strings.ContainsAny(tag, " \t\r\n\"'\\,;") {
				return fmt.Errorf("policy.exclusion[%d].tags: %q is not a rule tag such as attack-sqli", i, tag)
			}
		}
	}
	return nil
}

func validArgumentName(name string) bool {
	for _, c := range name {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune("._-[]", c):
		default:
			return false
		}
	}
	return true
}

// inspectsBodyOf reports whether the body of a request for path is inspected: bodies sent
// to an upload path are not. path must be the cleaned URL path (see cleanPath).
func (p *Policy) inspectsBodyOf(path string) bool {
	for _, prefix := range p.UploadPaths {
		if strings.HasPrefix(path, prefix) {
			return false
		}
	}
	return true
}
