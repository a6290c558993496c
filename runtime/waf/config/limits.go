package config

import (
	"fmt"
	"strings"
	"time"
)

// Inspection bounds concurrent rule evaluation. Rules are CPU-heavy: beyond the CPU count,
// more parallel inspections only make every request slower, so requests wait in a short
// queue and are refused with 503 and Retry-After when it is full or its deadline passes.
type Inspection struct {
	MaxConcurrent int    `json:"max_concurrent,omitempty" hcl:"max_concurrent,optional"` // default: the CPU count
	QueueLength   int    `json:"queue_length,omitempty" hcl:"queue_length,optional"`     // default: 4 × max_concurrent
	QueueTimeout  string `json:"queue_timeout,omitempty" hcl:"queue_timeout,optional"`   // default "250ms"
}

// Limits are the client-facing timeouts and sizes.
type Limits struct {
	ReadHeaderTimeout string `json:"read_header_timeout,omitempty" hcl:"read_header_timeout,optional"` // default "10s"
	IdleTimeout       string `json:"idle_timeout,omitempty" hcl:"idle_timeout,optional"`               // default "120s"
	UpstreamTimeout   string `json:"upstream_timeout,omitempty" hcl:"upstream_timeout,optional"`       // default "60s"
	MaxHeaderBytes    int    `json:"max_header_bytes,omitempty" hcl:"max_header_bytes,optional"`       // default 65536
	// MaxBodyBytes bounds any request body proxied (0: unlimited); bodies inspected by
	// the rules are bounded by the site's policy.request_body_limit as well.
	MaxBodyBytes int `json:"max_body_bytes,omitempty" hcl:"max_body_bytes,optional"`
}

// Defaults of Inspection and Limits.
const (
	DefaultQueueTimeout      = "250ms"
	DefaultReadHeaderTimeout = "10s"
	DefaultIdleTimeout       = "120s"
	DefaultUpstreamTimeout   = "60s"
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultRequestBodyLimit  = 128 << 10
	DefaultArgumentsLimit    = 1000
	DefaultInboundThreshold  = 5
	DefaultOutboundThreshold = 4
)

func validateDuration(path, value string, bad func(path, format string, args ...any)) {
	if value == "" {
		return
	}
	if v, err := time.ParseDuration(value); err != nil || v <= 0 {
		bad(path, "%q is not a positive duration such as \"5s\"", value)
	}
}

func validateLimits(c *Config, bad func(path, format string, args ...any)) {
	if in := c.Inspection; in != nil {
		if in.MaxConcurrent < 0 || in.QueueLength < 0 {
			bad("inspection", "max_concurrent and queue_length must not be negative")
		}
		validateDuration("inspection.queue_timeout", in.QueueTimeout, bad)
	}
	if l := c.Limits; l != nil {
		validateDuration("limits.read_header_timeout", l.ReadHeaderTimeout, bad)
		validateDuration("limits.idle_timeout", l.IdleTimeout, bad)
		validateDuration("limits.upstream_timeout", l.UpstreamTimeout, bad)
		if l.MaxHeaderBytes < 0 || l.MaxBodyBytes < 0 {
			bad("limits", "max_header_bytes and max_body_bytes must not be negative")
		}
	}
}

func validatePolicy(p *Policy, path string, bad func(path, format string, args ...any)) {
	if p == nil {
		return
	}
	if p.InboundThreshold < 0 || p.OutboundThreshold < 0 {
		bad(path, "anomaly thresholds must not be negative")
	}
	if p.RequestBodyLimit < 0 || p.ArgumentsLimit < 0 {
		bad(path, "request_body_limit and arguments_limit must not be negative")
	}
	for i, e := range p.Exclusions {
		ep := fmt.Sprintf("%s.exclusion[%d]", path, i)
		if len(e.RuleIDs) == 0 && len(e.Tags) == 0 {
			bad(ep, "name the rules to exclude with rule_ids or tags")
		}
		for _, id := range e.RuleIDs {
			if id <= 0 {
				bad(ep+".rule_ids", "%d is not a rule id", id)
			}
		}
		if e.PathPrefix != "" && !strings.HasPrefix(e.PathPrefix, "/") {
			bad(ep+".path_prefix", "%q must start with /", e.PathPrefix)
		}
	}
	for i, u := range p.UploadPaths {
		if !strings.HasPrefix(u, "/") {
			bad(fmt.Sprintf("%s.upload_paths[%d]", path, i), "%q must start with /", u)
		}
	}
}
