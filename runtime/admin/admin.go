// Package admin is how an operator (or a rampart provider) controls a running runtime: a
// small HTTP API on a loopback port or a unix socket (/healthz, /status, /metrics,
// /reload) and the reload-on-SIGHUP signal handling. Every runtime implements Runtime and
// gets the same endpoints, so providers can watch and reload any appliance the same way.
package admin

import "time"

// Runtime is what a runtime exposes to the admin API.
type Runtime interface {
	// Ready reports whether the runtime serves traffic (its listeners are bound).
	Ready() bool
	// Status describes the running runtime; it is served as JSON by GET /status.
	Status() Status
	// WriteMetrics writes the runtime's own metrics; the admin server adds the common ones.
	WriteMetrics(m *MetricsWriter)
	// Reload re-reads the configuration file, exactly like SIGHUP.
	Reload() error
}

// Status is the JSON document of GET /status. The first fields are common to every runtime
// so providers can check which configuration is live without knowing the kind.
type Status struct {
	Kind    string `json:"kind"`
	Version string `json:"version"`
	// ConfigSHA256 is the hex SHA-256 of the exact config file bytes currently loaded.
	ConfigSHA256 string `json:"config_sha256"`
	// ConfigGeneration counts successful loads: 1 after start, +1 per successful reload.
	ConfigGeneration uint64    `json:"config_generation"`
	StartedAt        time.Time `json:"started_at"`
	ConfigLoadedAt   time.Time `json:"config_loaded_at"`
	Ready            bool      `json:"ready"`
	// RestartRequired names loaded settings that only a restart applies (e.g. listen):
	// the process still runs with the old value.
	RestartRequired []string `json:"restart_required,omitempty"`
	// Components are the parts of the appliance with a health of their own (a WAF's pool
	// members), in a shape every runtime shares so providers can report them without
	// knowing the kind.
	Components []Component `json:"components,omitempty"`
	// Facts are the few figures an operator wants at a glance in `rampart status`, in
	// display order: a gateway's unique client IPs and active agents, a scanner's last run
	// and findings, a sensor's packets and findings. Keep them short: one line each.
	Facts []Fact `json:"facts,omitempty"`
	// Details is the runtime-specific part (sites, pools, ...).
	Details any `json:"details,omitempty"`
}

// Fact is one named figure of Status.Facts: Name "unique IPs (60m)", Value "1,204".
type Fact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Component is one part with its own health: Name "pool app: 10.0.0.5:8080", Health
// "UP", Detail "L7OK HTTP status check returned code <200>".
type Component struct {
	Name   string `json:"name"`
	Health string `json:"health"`
	Detail string `json:"detail,omitempty"`
}
