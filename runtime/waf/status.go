package waf

import (
	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/version"
)

// statusDetails is the WAF-specific part of GET /status.
type statusDetails struct {
	Listeners []string     `json:"listeners"`
	Sites     []siteStatus `json:"sites"`
	Pools     []poolStatus `json:"pools"`
}

type siteStatus struct {
	Name      string   `json:"name"`
	Hostnames []string `json:"hostnames,omitempty"`
	Pool      string   `json:"pool"`
	Mode      string   `json:"mode"`
}

type poolStatus struct {
	Name    string         `json:"name"`
	Members []memberStatus `json:"members"`
}

type memberStatus struct {
	Address  string `json:"address"`
	Weight   int    `json:"weight"`
	Up       bool   `json:"up"`
	InFlight int64  `json:"in_flight"`
}

// Ready reports whether the traffic listeners are bound and serving.
func (s *Server) Ready() bool { return s.ready.Load() }

// Status describes the running WAF for GET /status.
func (s *Server) Status() admin.Status {
	lc := s.current.Load()
	details := statusDetails{Listeners: []string{}, Sites: []siteStatus{}, Pools: []poolStatus{}}
	if l := s.httpListener; l != nil && s.Ready() {
		details.Listeners = append(details.Listeners, "http://"+l.Addr().String())
	}
	for _, st := range lc.router.sites {
		details.Sites = append(details.Sites, siteStatus{Name: st.name, Hostnames: st.hostnames, Pool: st.pool.Name, Mode: string(st.mode)})
	}
	for _, p := range lc.pools {
		ps := poolStatus{Name: p.Name, Members: []memberStatus{}}
		for _, m := range p.Members {
			ps.Members = append(ps.Members, memberStatus{Address: m.Address, Weight: m.Weight, Up: m.Up(), InFlight: m.InFlight()})
		}
		details.Pools = append(details.Pools, ps)
	}
	return admin.Status{
		Kind:             "waf",
		Version:          version.Version,
		ConfigSHA256:     lc.sha256,
		ConfigGeneration: lc.generation,
		StartedAt:        s.startedAt,
		ConfigLoadedAt:   lc.loadedAt,
		Ready:            s.Ready(),
		RestartRequired:  lc.restartRequired,
		Details:          details,
	}
}
