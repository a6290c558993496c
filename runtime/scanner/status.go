package scanner

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/scanner/capacity"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
	"github.com/rampart-sec/rampart/version"
)

// statusDetails is the scanner-specific part of GET /status.
type statusDetails struct {
	// Capacity is the "scanning capacity" of the original appliance: what the scanner does
	// at once and why (its memory, swap and CPU limits).
	Capacity   capacity.Capacity `json:"scanning_capacity"`
	Mode       string            `json:"mode"`
	ModeNotice string            `json:"mode_notice,omitempty"`
	DataDir    string            `json:"data_dir"`
	ProbesSent uint64            `json:"probes_sent"`
	Jobs       []jobState        `json:"jobs"`
}

// Ready reports whether the admin API is up and the schedules run.
func (s *Server) Ready() bool { return s.ready.Load() }

// Status describes the scanner for GET /status and `rampart status`.
func (s *Server) Status() admin.Status {
	lc := s.current.Load()
	jobs := s.jobs.snapshot()
	slices.SortFunc(jobs, func(a, b jobState) int { return strings.Compare(a.Name, b.Name) })
	components := make([]admin.Component, 0, len(jobs))
	for _, j := range jobs {
		components = append(components, jobComponent(j))
	}
	return admin.Status{
		Kind:             "scanner",
		Version:          version.Version,
		ConfigSHA256:     lc.sha256,
		ConfigGeneration: lc.generation,
		StartedAt:        s.startedAt,
		ConfigLoadedAt:   lc.loadedAt,
		Ready:            s.Ready(),
		RestartRequired:  lc.restartRequired,
		Components:       components,
		Facts:            facts(s.engine.Capacity, jobs),
		Details: statusDetails{
			Capacity: s.engine.Capacity, Mode: s.engine.Mode, ModeNotice: s.engine.ModeNotice,
			DataDir: lc.cfg.DataDir, ProbesSent: s.engine.ProbesSent(), Jobs: jobs,
		},
	}
}

func jobComponent(j jobState) admin.Component {
	c := admin.Component{Name: "job " + j.Name}
	switch {
	case j.Running:
		c.Health, c.Detail = "RUNNING", j.Schedule
	case j.Last == nil:
		c.Health, c.Detail = "PENDING", j.Schedule
	case j.Last.Error != "":
		c.Health, c.Detail = "FAILED", j.Last.Error
	default:
		c.Health = "OK"
		c.Detail = fmt.Sprintf("%s: %d/%d hosts up, %d open ports, %d findings (%d new, %d fixed)",
			j.Last.FinishedAt.Format(time.RFC3339), j.Last.HostsUp, j.Last.HostsScanned, j.Last.OpenPorts,
			j.Last.Findings, len(j.Last.Diff.New), len(j.Last.Diff.Fixed))
	}
	return c
}

// facts are the lines `rampart status` shows: capacity, then the newest run of any job.
func facts(c capacity.Capacity, jobs []jobState) []admin.Fact {
	out := []admin.Fact{{Name: "scanning capacity", Value: fmt.Sprintf("%d probes in flight, %d hosts in parallel", c.InFlight, c.ParallelHosts)}}
	var last *results.Summary
	for _, j := range jobs {
		if j.Last != nil && (last == nil || j.Last.FinishedAt.After(last.FinishedAt)) {
			last = j.Last
		}
	}
	if last == nil {
		return append(out, admin.Fact{Name: "last run", Value: "none yet"})
	}
	value := fmt.Sprintf("%s job %s (%s)", last.FinishedAt.Format(time.RFC3339), last.Job, last.FinishedAt.Sub(last.StartedAt).Round(100*time.Millisecond))
	if last.Error != "" {
		value += " failed: " + last.Error
	}
	var sev []string
	for _, name := range results.SeverityNames {
		sev = append(sev, fmt.Sprintf("%s %d", name, last.BySeverity[name]))
	}
	return append(out,
		admin.Fact{Name: "last run", Value: value},
		admin.Fact{Name: "hosts up", Value: fmt.Sprintf("%d of %d", last.HostsUp, last.HostsScanned)},
		admin.Fact{Name: "open ports", Value: fmt.Sprint(last.OpenPorts)},
		admin.Fact{Name: "findings", Value: strings.Join(sev, ", ")},
	)
}
