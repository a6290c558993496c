package waf

import (
	"fmt"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/waf/discovery"
	"github.com/rampart-sec/rampart/runtime/waf/upstream"
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

// poolStatus is a pool in the health view of the original appliance.
type poolStatus struct {
	Name          string         `json:"name"`
	LoadBalancing string         `json:"load_balancing"`
	MembersUp     int            `json:"members_up"`
	Members       []memberStatus `json:"members"`
	// Discovery is the Docker discovery state of a docker_discovery pool.
	Discovery *discovery.PoolStatus `json:"discovery,omitempty"`
}

// memberStatus is one line of the health view: where the member is, whether it gets
// traffic, and the last health-check result (check code, message, HTTP status).
type memberStatus struct {
	Host    string `json:"host"`
	Port    string `json:"port"`
	Address string `json:"address"`
	Weight  int    `json:"weight"`
	Source  string `json:"source"` // "static" or "docker:<container name>"
	Status  string `json:"status"` // UP or DOWN
	Up      bool   `json:"up"`
	// Check is L7OK, L7STS, L7RSP, L7TOUT, L4CON or L4TOUT; empty before any check.
	Check     string     `json:"check"`
	Message   string     `json:"message"`
	Code      int        `json:"code"`
	LastCheck *time.Time `json:"last_check"` // null before any check
	InFlight  int64      `json:"in_flight"`
	Requests  uint64     `json:"requests"`
	Failures  uint64     `json:"failures"`
}

// Ready reports whether the traffic listeners are bound and serving.
func (s *Server) Ready() bool { return s.ready.Load() }

// Status describes the running WAF for GET /status.
func (s *Server) Status() admin.Status {
	lc := s.current.Load()
	details := statusDetails{Listeners: []string{}, Sites: []siteStatus{}, Pools: []poolStatus{}}
	if s.Ready() {
		details.Listeners = s.listenerURLs()
	}
	for _, st := range lc.router.sites {
		details.Sites = append(details.Sites, siteStatus{Name: st.name, Hostnames: st.hostnames, Pool: st.pool.Name, Mode: string(st.mode)})
	}
	var components []admin.Component
	up, members := 0, 0
	for _, p := range lc.pools {
		ps := poolStatusOf(p)
		if ds, ok := s.DiscoveryStatus(p.Name); ok {
			ps.Discovery = &ds
		}
		details.Pools = append(details.Pools, ps)
		components = append(components, poolComponents(ps)...)
		for _, m := range ps.Members {
			members++
			if m.Status == "UP" {
				up++
			}
		}
	}
	totals := s.metrics.actionTotals()
	facts := []admin.Fact{
		{Name: "members UP", Value: fmt.Sprintf("%d of %d", up, members)},
		{Name: "requests", Value: fmt.Sprint(totals[actionPassed] + totals[actionDetected] + totals[actionBlocked] + totals[actionRejected])},
		{Name: "blocked", Value: fmt.Sprint(totals[actionBlocked])},
		{Name: "detected", Value: fmt.Sprint(totals[actionDetected])},
		{Name: "rejected (overload)", Value: fmt.Sprint(totals[actionRejected])},
	}
	return admin.Status{
		Components:       components,
		Facts:            facts,
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

func poolStatusOf(p *upstream.Pool) poolStatus {
	ps := poolStatus{Name: p.Name, LoadBalancing: p.LoadBalancing(), Members: []memberStatus{}}
	for _, m := range p.Members() {
		h := m.Health()
		ms := memberStatus{
			Host:     m.Host(),
			Port:     m.Port(),
			Address:  m.Address,
			Weight:   m.Weight,
			Source:   m.Source,
			Status:   h.Status,
			Up:       h.Status == upstream.StatusUp,
			Check:    h.Check,
			Message:  h.Message,
			Code:     h.Code,
			InFlight: m.InFlight(),
			Requests: m.Requests(),
			Failures: m.Failures(),
		}
		if !h.LastCheck.IsZero() {
			ms.LastCheck = &h.LastCheck
		}
		if ms.Up {
			ps.MembersUp++
		}
		ps.Members = append(ps.Members, ms)
	}
	return ps
}

// poolComponents is the pool's members in the shared health view `rampart status` prints,
// like the original appliance's: address, UP/DOWN, check result and message.
func poolComponents(ps poolStatus) []admin.Component {
	out := make([]admin.Component, 0, len(ps.Members))
	for _, m := range ps.Members {
		detail := m.Check
		if m.Message != "" {
			detail = strings.TrimSpace(detail + " " + m.Message)
		}
		if detail == "" {
			detail = "not checked yet"
		}
		out = append(out, admin.Component{Name: "pool " + ps.Name + ": " + m.Address, Health: m.Status, Detail: detail})
	}
	return out
}
