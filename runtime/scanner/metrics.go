package scanner

import (
	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
)

// WriteMetrics writes the scanner's metrics; the admin server adds the common ones.
func (s *Server) WriteMetrics(m *admin.MetricsWriter) {
	c := s.engine.Capacity
	m.Family("rampart_scanner_capacity_in_flight", "gauge", "Probes the scanner keeps in flight at most (derived from its CPU and memory limits).")
	m.Sample("rampart_scanner_capacity_in_flight", float64(c.InFlight))
	m.Family("rampart_scanner_capacity_parallel_hosts", "gauge", "Hosts the scanner scans at once at most.")
	m.Sample("rampart_scanner_capacity_parallel_hosts", float64(c.ParallelHosts))
	m.Family("rampart_scanner_probes_sent_total", "counter", "Port probes sent, retries included.")
	m.Sample("rampart_scanner_probes_sent_total", float64(s.engine.ProbesSent()))
	m.Family("rampart_scanner_reloads_total", "counter", "Configuration reloads by result.")
	m.Sample("rampart_scanner_reloads_total", float64(s.reloadsOK.Load()), "result", "ok")
	m.Sample("rampart_scanner_reloads_total", float64(s.reloadsFail.Load()), "result", "failed")

	jobs := s.jobs.snapshot()
	m.Family("rampart_scanner_job_runs_total", "counter", "Completed runs per job by result.")
	for _, j := range jobs {
		m.Sample("rampart_scanner_job_runs_total", float64(j.Runs-j.Failures), "job", j.Name, "result", "ok")
		m.Sample("rampart_scanner_job_runs_total", float64(j.Failures), "job", j.Name, "result", "failed")
	}
	m.Family("rampart_scanner_job_running", "gauge", "1 while the job scans.")
	for _, j := range jobs {
		m.Sample("rampart_scanner_job_running", boolValue(j.Running), "job", j.Name)
	}
	m.Family("rampart_scanner_last_run_timestamp_seconds", "gauge", "Unix time the job's last run finished.")
	for _, j := range jobs {
		if j.Last != nil {
			m.Sample("rampart_scanner_last_run_timestamp_seconds", float64(j.Last.FinishedAt.Unix()), "job", j.Name)
		}
	}
	m.Family("rampart_scanner_last_run_duration_seconds", "gauge", "Wall time of the job's last run.")
	for _, j := range jobs {
		if j.Last != nil {
			m.Sample("rampart_scanner_last_run_duration_seconds", j.Last.FinishedAt.Sub(j.Last.StartedAt).Seconds(), "job", j.Name)
		}
	}
	m.Family("rampart_scanner_hosts_up", "gauge", "Hosts that answered in the job's last run.")
	for _, j := range jobs {
		if j.Last != nil {
			m.Sample("rampart_scanner_hosts_up", float64(j.Last.HostsUp), "job", j.Name)
		}
	}
	m.Family("rampart_scanner_open_ports", "gauge", "Open ports found in the job's last run.")
	for _, j := range jobs {
		if j.Last != nil {
			m.Sample("rampart_scanner_open_ports", float64(j.Last.OpenPorts), "job", j.Name)
		}
	}
	m.Family("rampart_scanner_findings", "gauge", "Findings of the job's last run by severity.")
	for _, j := range jobs {
		if j.Last == nil {
			continue
		}
		for _, sev := range results.SeverityNames {
			m.Sample("rampart_scanner_findings", float64(j.Last.BySeverity[sev]), "job", j.Name, "severity", sev)
		}
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
