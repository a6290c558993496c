package upstream

import (
	"fmt"
	"net/http"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// Pool is a named set of members with a selection policy and optional health checks.
type Pool struct {
	Name        string
	Members     []*Member
	selector    Selector
	healthCheck *HealthCheck // nil without active health checks
}

// PoolOptions are what a pool shares with the rest of the proxy.
type PoolOptions struct {
	Transport http.RoundTripper
	OnError   ErrorHandler
	// Previous is the pool of the same name before a reload: members at the same address
	// keep their health state, so a reload does not send traffic to a member known down.
	Previous *Pool
}

// NewPool builds a pool from its configuration.
func NewPool(cfg config.Pool, opts PoolOptions) (*Pool, error) {
	p := &Pool{Name: cfg.Name}
	for _, mc := range cfg.Members {
		m := newMember(mc.Address, mc.Weight, opts.Transport, opts.OnError)
		if prev := opts.Previous.member(mc.Address); prev != nil {
			m.up.Store(prev.Up())
		}
		p.Members = append(p.Members, m)
	}
	selector, err := NewSelector(cfg.LoadBalancing, p.Members)
	if err != nil {
		return nil, fmt.Errorf("server_pool %q: %w", cfg.Name, err)
	}
	p.selector = selector
	if cfg.HealthCheck != nil {
		hc, err := ParseHealthCheck(cfg.HealthCheck)
		if err != nil {
			return nil, fmt.Errorf("server_pool %q: %w", cfg.Name, err)
		}
		p.healthCheck = &hc
	}
	return p, nil
}

// Pick returns the member to send r to, or nil when no member is up.
func (p *Pool) Pick(r *http.Request) *Member {
	return p.selector.Select(p.Members, r)
}

// UpCount is the number of members receiving traffic.
func (p *Pool) UpCount() int {
	n := 0
	for _, m := range p.Members {
		if m.Up() {
			n++
		}
	}
	return n
}

// member returns the member at address, or nil; p may be nil.
func (p *Pool) member(address string) *Member {
	if p == nil {
		return nil
	}
	for _, m := range p.Members {
		if m.Address == address {
			return m
		}
	}
	return nil
}
