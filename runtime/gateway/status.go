package gateway

import (
	"strconv"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/gateway/cacheport"
	"github.com/rampart-sec/rampart/runtime/gateway/stats"
	"github.com/rampart-sec/rampart/version"
)

// MaxStatusDomains bounds the domains listed in /status (busiest first); /metrics has all.
const MaxStatusDomains = 50

// statusDetails is the gateway-specific part of GET /status.
type statusDetails struct {
	ProxyListen     string                 `json:"proxy_listen"`
	CacheListen     string                 `json:"cache_listen"`
	UniqueClientIPs int                    `json:"unique_client_ips_60m"`
	ActiveAgents    int                    `json:"active_agents_60m"`
	Connections     int64                  `json:"connections"`
	Tunnels         int64                  `json:"tunnels"`
	UpstreamErrors  uint64                 `json:"upstream_errors"`
	Denied          map[string]uint64      `json:"denied"`
	Domains         []stats.DomainSnapshot `json:"domains"`
	Cache           cacheport.Stats        `json:"cache"`
	TLSMinVersion   string                 `json:"tls_min_version"`
	// UpstreamProxy is the upstream proxy URL with its password redacted.
	UpstreamProxy string `json:"upstream_proxy,omitempty"`
}

// Ready reports whether both ports are bound and serving.
func (s *Server) Ready() bool { return s.ready.Load() }

// Status describes the running gateway for GET /status: the facts `rampart status` shows
// (as in the original's appliance list) and the details.
func (s *Server) Status() admin.Status {
	lc := s.current.Load()
	d := s.details(lc)
	state, health := "starting", "DOWN"
	if s.Ready() {
		state, health = "running", "UP"
	}
	return admin.Status{
		Kind:             "gateway",
		Version:          version.Version,
		ConfigSHA256:     lc.sha256,
		ConfigGeneration: lc.generation,
		StartedAt:        s.startedAt,
		ConfigLoadedAt:   lc.loadedAt,
		Ready:            s.Ready(),
		RestartRequired:  lc.restartRequired,
		Components: []admin.Component{
			{Name: "proxy port " + d.ProxyListen, Health: health, Detail: strconv.FormatInt(d.Connections, 10) + " connections, " + strconv.FormatInt(d.Tunnels, 10) + " tunnels"},
			{Name: "cache port " + d.CacheListen, Health: health, Detail: strconv.FormatUint(d.Cache.Hits, 10) + " hits, " + strconv.FormatUint(d.Cache.Misses, 10) + " misses"},
		},
		Facts: []admin.Fact{
			{Name: "status", Value: state},
			{Name: "unique IPs (60m)", Value: strconv.Itoa(d.UniqueClientIPs)},
			{Name: "active agents (60m)", Value: strconv.Itoa(d.ActiveAgents)},
			{Name: "proxy port", Value: strconv.Itoa(s.startupConfig.Listen.Proxy)},
			{Name: "cache port", Value: strconv.Itoa(s.startupConfig.Listen.Cache)},
			{Name: "TLS minimum", Value: lc.cfg.TLSMinVersion},
			{Name: "bandwidth saved", Value: formatBytes(d.Cache.BandwidthSaved)},
		},
		Details: d,
	}
}

func (s *Server) details(lc *loadedConfig) statusDetails {
	d := statusDetails{
		UniqueClientIPs: s.stats.Clients.Count(),
		ActiveAgents:    s.stats.Agents.Count(),
		Connections:     s.stats.Connections.Load(),
		Tunnels:         s.stats.Tunnels.Load(),
		UpstreamErrors:  s.stats.UpstreamErrors.Load(),
		Denied:          s.stats.DeniedCounts(),
		Domains:         s.stats.Domains(),
		Cache:           s.cache.Stats(),
		TLSMinVersion:   lc.cfg.TLSMinVersion,
	}
	if len(d.Domains) > MaxStatusDomains {
		d.Domains = d.Domains[:MaxStatusDomains]
	}
	if s.proxyListener != nil {
		d.ProxyListen = s.proxyListener.Addr().String()
		d.CacheListen = s.cacheListener.Addr().String()
	}
	if up := lc.cfg.UpstreamProxy; up != nil {
		d.UpstreamProxy = up.Redacted()
	}
	return d
}

// formatBytes is a short human figure: 1.5 GiB.
func formatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatUint(n, 10) + " B"
	}
	value, suffix := float64(n), ""
	for _, s := range []string{"KiB", "MiB", "GiB", "TiB"} {
		value /= unit
		suffix = s
		if value < unit {
			break
		}
	}
	return strconv.FormatFloat(value, 'f', 1, 64) + " " + suffix
}
