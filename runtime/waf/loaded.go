package waf

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
	"github.com/rampart-sec/rampart/runtime/waf/discovery"
	"github.com/rampart-sec/rampart/runtime/waf/inspect"
	"github.com/rampart-sec/rampart/runtime/waf/overload"
	"github.com/rampart-sec/rampart/runtime/waf/upstream"
)

// loadedConfig is one configuration made ready to serve: sites resolved to pools and
// inspectors. A request loads it once (atomic pointer) and uses it to the end, so a reload
// never changes the rules under a request in flight.
type loadedConfig struct {
	cfg             *config.Config
	sha256          string // of the file bytes
	generation      uint64
	loadedAt        time.Time
	restartRequired []string

	router router
	pools  []*upstream.Pool
	stops  []func() // stop the pools' health checks

	discovery *discovery.Discovery // members of docker_discovery pools (dynamic.go); nil if none

	limiter *overload.Limiter // bounds concurrent inspections (shared with prev when unchanged)
}

// build turns cfg into a loadedConfig. prev (may be nil) lends pool members' health state.
func (s *Server) build(cfg *config.Config, data []byte, prev *loadedConfig) (*loadedConfig, error) {
	sum := sha256.Sum256(data)
	lc := &loadedConfig{cfg: cfg, sha256: hex.EncodeToString(sum[:]), loadedAt: time.Now().UTC()}

	pools := map[string]*upstream.Pool{}
	for _, pc := range cfg.Pools {
		pool, err := upstream.NewPool(pc, upstream.PoolOptions{
			Transport:       s.transport,
			UpstreamTimeout: upstream.UpstreamTimeout(cfg.Limits),
			OnError:         s.upstreamError(pc.Name),
			Previous:        prev.pool(pc.Name),
		})
		if err != nil {
			return nil, err
		}
		pools[pc.Name] = pool
		lc.pools = append(lc.pools, pool)
	}
	if err := lc.prepareDiscovery(s, pools, prev); err != nil {
		return nil, err
	}

	limits, err := overload.SettingsFrom(cfg.Inspection)
	if err != nil {
		return nil, err
	}
	lc.limiter = overload.New(limits)
	if prev != nil && prev.limiter.Settings() == limits {
		lc.limiter = prev.limiter // in-flight inspections keep counting against the bound
	}

	var sites []*site
	for _, sc := range cfg.Sites {
		pool, ok := pools[sc.Pool]
		if !ok {
			return nil, fmt.Errorf("site %q: no server_pool named %q", sc.Name, sc.Pool)
		}
		policy, err := inspect.PolicyFrom(sc.Policy)
		if err != nil {
			return nil, fmt.Errorf("site %q: %w", sc.Name, err)
		}
		st := &site{
			name:      sc.Name,
			hostnames: sc.Hostnames,
			pool:      pool,
			mode:      policyMode(policy.Mode),
			counters:  s.metrics.site(sc.Name),
		}
		if st.mode != modeOff {
			// Sites (and reloads) with the same rule configuration share one compiled
			// engine: inspect compiles each distinct policy once.
			if st.inspector, err = inspect.New(policy); err != nil {
				return nil, fmt.Errorf("site %q: %w", sc.Name, err)
			}
		}
		sites = append(sites, st)
	}
	lc.router = newRouter(sites)
	return lc, nil
}

func (lc *loadedConfig) pool(name string) *upstream.Pool {
	if lc == nil {
		return nil
	}
	for _, p := range lc.pools {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// startHealthChecks starts the active checks of every pool; called once the configuration
// is live.
func (lc *loadedConfig) startHealthChecks(s *Server) {
	for _, p := range lc.pools {
		lc.stops = append(lc.stops, p.StartHealthChecks(s.transport, s.logger))
	}
	lc.stops = append(lc.stops, lc.startDiscovery())
}

func (lc *loadedConfig) stopHealthChecks() {
	for _, stop := range lc.stops {
		stop()
	}
	lc.stops = nil
}
