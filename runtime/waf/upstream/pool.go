package upstream

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// DefaultRetries is how many other members an idempotent request is retried on after a
// connection failure when server_pool.retries is unset.
const DefaultRetries = 1

// DefaultPassiveCooldown is how long a member downed by passive checks rests before it is
// tried again, in a pool without an active health check (with one, the check brings it
// back after rise successes).
const DefaultPassiveCooldown = 10 * time.Second

// Pool is a named set of members with a selection policy, retries and health checks.
// Its members are an immutable snapshot swapped atomically: static members from the
// configuration plus the dynamic ones last given to SetMembers.
type Pool struct {
	Name string

	policy          string
	selector        selector
	retries         int
	healthCheck     *HealthCheck // nil without active health checks
	passiveFailures int          // 0: passive checks off
	passiveCooldown time.Duration
	onError         ErrorHandler
	transport       http.RoundTripper // template; see newBackendFor

	members atomic.Pointer[memberSet]

	mu      sync.Mutex  // serialises membership changes and starting/stopping checks
	checks  *checkLoops // nil unless health checks run
	stopped bool        // replaced by a newer configuration or shut down
	logger  atomic.Pointer[slog.Logger]
}

// memberSet is one immutable snapshot of a pool's members.
type memberSet struct {
	all []*Member
	// order is the smooth weighted round-robin sequence over all, as member indexes.
	order []int
}

func newMemberSet(members []*Member) *memberSet {
	return &memberSet{all: members, order: smoothWeightedOrder(members)}
}

// PoolOptions are what a pool shares with the rest of the proxy.
type PoolOptions struct {
	// Transport is the template for upstream connections. An *http.Transport is cloned
	// for every member, so a removed member's idle connections can be closed on their
	// own; any other RoundTripper is shared as it is. Nil means NewTransport().
	Transport http.RoundTripper
	// UpstreamTimeout, when set, bounds the wait for a member's response headers
	// (limits.upstream_timeout); it applies to cloned transports.
	UpstreamTimeout time.Duration
	OnError         ErrorHandler
	// Previous is the pool of the same name before a reload: members at the same address
	// keep their health state, counters and connections, and a discovered pool keeps its
	// discovered members until discovery next calls SetMembers.
	Previous *Pool
	// PassiveCooldown overrides DefaultPassiveCooldown (tests use a short one).
	PassiveCooldown time.Duration
}

// NewPool builds a pool from its configuration.
func NewPool(cfg config.Pool, opts PoolOptions) (*Pool, error) {
	p := &Pool{
		Name:            cfg.Name,
		policy:          cfg.LoadBalancing,
		retries:         retriesFor(cfg.Retries),
		passiveCooldown: opts.PassiveCooldown,
		onError:         opts.OnError,
		transport:       transportTemplate(opts.Transport, opts.UpstreamTimeout),
	}
	if p.policy == "" {
		p.policy = config.DefaultLoadBalancing
	}
	if p.passiveCooldown <= 0 {
		p.passiveCooldown = DefaultPassiveCooldown
	}
	if p.onError == nil {
		p.onError = answerBadGateway
	}
	selector, err := newSelector(p.policy)
	if err != nil {
		return nil, fmt.Errorf("server_pool %q: %w", cfg.Name, err)
	}
	p.selector = selector
	if hc := cfg.HealthCheck; hc != nil {
		parsed, err := ParseHealthCheck(hc)
		if err != nil {
			return nil, fmt.Errorf("server_pool %q: %w", cfg.Name, err)
		}
		if activeCheckConfigured(hc) {
			p.healthCheck = &parsed
		}
		p.passiveFailures = hc.PassiveFailures
	}

	var members []*Member
	for _, mc := range cfg.Members {
		members = append(members, p.memberFor(mc.Address, mc.Weight, "static", false, opts.Previous.find(staticKey(mc.Address))))
	}
	if cfg.DockerDiscovery != nil && opts.Previous != nil {
		for _, prev := range opts.Previous.Members() {
			if prev.dynamic {
				members = append(members, p.memberFor(prev.Address, prev.Weight, prev.Source, true, prev))
			}
		}
	}
	p.members.Store(newMemberSet(members))
	return p, nil
}

// retriesFor applies server_pool.retries' convention: 0 is the default, negative is none.
func retriesFor(configured int) int {
	switch {
	case configured == 0:
		return DefaultRetries
	case configured < 0:
		return 0
	}
	return configured
}

// memberFor builds a member of p. With prev (same address and source in the previous
// snapshot or pool), it takes over prev's backend; otherwise it gets a fresh one.
func (p *Pool) memberFor(address string, weight int, source string, dynamic bool, prev *Member) *Member {
	m := &Member{Address: address, Weight: max(weight, 1), Source: source, dynamic: dynamic, pool: p}
	if prev != nil {
		m.b = prev.b
		if prev.pool != p {
			m.b.adopt() // a second pool lists it until the old one is stopped
		}
		return m
	}
	transport, owned := p.transport, false
	if t, ok := p.transport.(*http.Transport); ok {
		transport, owned = t.Clone(), true
	}
	m.b = newBackend(address, transport, owned)
	return m
}

// Pick returns the member to send r to, or nil when no member is up.
func (p *Pool) Pick(r *http.Request) *Member {
	return p.selector.pick(p.members.Load(), r, nil)
}

// Members is the current snapshot of the pool's members, static first. The slice is
// shared: do not modify it.
func (p *Pool) Members() []*Member { return p.members.Load().all }

// LoadBalancing is the pool's selection policy.
func (p *Pool) LoadBalancing() string { return p.policy }

// UpCount is the number of members receiving traffic.
func (p *Pool) UpCount() int {
	n := 0
	for _, m := range p.Members() {
		if m.Up() {
			n++
		}
	}
	return n
}

func staticKey(address string) string { return memberKey(address, "static", false) }

// memberKey identifies a member across snapshots: a different container that happens to
// get the same address is a different member, with its own health.
func memberKey(address, source string, dynamic bool) string {
	kind := "static"
	if dynamic {
		kind = "dynamic"
	}
	return kind + "|" + source + "|" + address
}

func (m *Member) key() string { return memberKey(m.Address, m.Source, m.dynamic) }

// find returns the member with key, or nil; p may be nil.
func (p *Pool) find(key string) *Member {
	if p == nil {
		return nil
	}
	for _, m := range p.Members() {
		if m.key() == key {
			return m
		}
	}
	return nil
}

var discardLogger = slog.New(slog.DiscardHandler)

func (p *Pool) log() *slog.Logger {
	if l := p.logger.Load(); l != nil {
		return l
	}
	return discardLogger
}

func answerBadGateway(w http.ResponseWriter, _ *http.Request, _ *Member, _ error) {
	http.Error(w, "502 bad gateway: the upstream server did not answer", http.StatusBadGateway)
}
