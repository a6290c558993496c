package waf

import (
	"github.com/rampart-sec/rampart/runtime/waf/discovery"
	"github.com/rampart-sec/rampart/runtime/waf/upstream"
)

// Docker-discovered pools: each loaded configuration owns a discovery.Discovery that feeds
// its docker_discovery pools through upstream.Pool.SetMembers. It is prepared in build
// (bad endpoints or TLS material reject the configuration), started with the health checks
// once the configuration is live, and stopped when a reload replaces it; the replacement's
// pools start with the members already found, so a reload never empties a pool.

// prepareDiscovery sets lc.discovery for the dynamic pools among pools (by name).
func (lc *loadedConfig) prepareDiscovery(s *Server, pools map[string]*upstream.Pool, prev *loadedConfig) error {
	var previous *discovery.Discovery
	if prev != nil {
		previous = prev.discovery
	}
	apply := func(pool string, members []discovery.Member) {
		specs := make([]upstream.MemberSpec, 0, len(members))
		for _, m := range members {
			specs = append(specs, upstream.MemberSpec{Address: m.Address, Weight: 1, Source: "docker:" + m.Container})
		}
		pools[pool].SetMembers(specs)
	}
	d, err := discovery.New(lc.cfg, apply, discovery.Options{Logger: s.logger, Previous: previous})
	if err != nil {
		return err
	}
	lc.discovery = d
	return nil
}

// startDiscovery starts watching the Docker engines and returns the function that stops it.
func (lc *loadedConfig) startDiscovery() (stop func()) {
	lc.discovery.Start()
	return lc.discovery.Stop
}

// DiscoveryStatus is the Docker discovery state of a pool of the running configuration
// (endpoints reachable, last list, last error, member count), for GET /status; false when
// the pool is not a docker_discovery pool.
func (s *Server) DiscoveryStatus(pool string) (discovery.PoolStatus, bool) {
	return s.current.Load().discovery.Status(pool)
}
