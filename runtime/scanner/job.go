package scanner

import (
	"context"
	"fmt"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/checks"
	"github.com/rampart-sec/rampart/runtime/scanner/config"
	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
	"github.com/rampart-sec/rampart/runtime/scanner/targets"
)

// RunJob scans one job of cfg with engine and returns its summary and findings (not yet
// saved: Store.Save adds the difference from the previous run).
func RunJob(ctx context.Context, engine *Engine, cfg *config.Config, job config.Job, userProbes *fingerprint.ProbesFile) (results.Summary, []checks.Finding) {
	start := time.Now()
	sum := results.Summary{
		Job: job.Name, RunID: results.NewRunID(start), StartedAt: start.UTC(),
		Mode: engine.Mode, Profile: job.Profile, Hosts: []results.Host{}, BySeverity: map[string]int{},
	}
	timing := cfg.Timing(job.Profile)
	ports, err := config.ParsePorts(job.Ports)
	if err == nil {
		var list []targets.Target
		if list, err = targets.Expand(ctx, job.Targets, job.Exclude, nil); err == nil {
			perHost := 0
			if cfg.Limits != nil {
				perHost = cfg.Limits.PerHost
			}
			report := engine.Scan(ctx, Request{
				Targets: list, Ports: ports, Timing: timing, SkipDiscovery: cfg.SkipHostDiscovery,
				PerHost: perHost, UserProbes: userProbes,
			})
			fillSummary(&sum, report)
			if ctx.Err() != nil {
				sum.Error = "interrupted: " + ctx.Err().Error()
			}
			sum.FinishedAt = time.Now().UTC()
			return sum, report.Findings
		}
	}
	sum.Error = fmt.Sprintf("job %s: %v", job.Name, err)
	sum.FinishedAt = time.Now().UTC()
	return sum, nil
}

func fillSummary(sum *results.Summary, report Report) {
	sum.Hosts = report.Hosts
	sum.HostsScanned = len(report.Hosts)
	for _, h := range report.Hosts {
		if h.Up {
			sum.HostsUp++
		}
		sum.OpenPorts += len(h.Open)
	}
	sum.Findings = len(report.Findings)
	for _, name := range results.SeverityNames {
		sum.BySeverity[name] = 0
	}
	for _, f := range report.Findings {
		sum.BySeverity[results.SeverityName(f.Severity)]++
	}
}
