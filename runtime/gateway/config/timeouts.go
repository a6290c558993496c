package config

import "time"

// Timeouts bound how long the gateway waits on clients and destinations. Values are
// durations such as "30s" or "5m".
type Timeouts struct {
	// Connect bounds dialing a destination (or the upstream proxy). Default 10s.
	Connect string `json:"connect,omitempty" hcl:"connect,optional"`
	// RequestHeader bounds reading a request head from a client. Default 10s.
	RequestHeader string `json:"request_header,omitempty" hcl:"request_header,optional"`
	// Idle closes a keep-alive client connection, or a tunnel, with no traffic for this
	// long. Default 5m.
	Idle string `json:"idle,omitempty" hcl:"idle,optional"`
	// HalfClosed closes a tunnel this long after one side finished sending, if the other
	// side is not done by then. Default 30s.
	HalfClosed string `json:"half_closed,omitempty" hcl:"half_closed,optional"`
}

// Defaults of Timeouts.
const (
	DefaultConnectTimeout       = 10 * time.Second
	DefaultRequestHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout          = 5 * time.Minute
	DefaultHalfClosedTimeout    = 30 * time.Second
)

func (t *Timeouts) applyDefaults() {
	set := func(field *string, d time.Duration) {
		if *field == "" {
			*field = d.String()
		}
	}
	set(&t.Connect, DefaultConnectTimeout)
	set(&t.RequestHeader, DefaultRequestHeaderTimeout)
	set(&t.Idle, DefaultIdleTimeout)
	set(&t.HalfClosed, DefaultHalfClosedTimeout)
}

// Durations are the timeouts parsed, defaults in place of unset or invalid values
// (Validate reports invalid ones).
type Durations struct {
	Connect, RequestHeader, Idle, HalfClosed time.Duration
}

// Durations parses the timeouts.
func (c *Config) Durations() Durations {
	t := Timeouts{}
	if c.Timeouts != nil {
		t = *c.Timeouts
	}
	parse := func(s string, d time.Duration) time.Duration {
		if v, err := time.ParseDuration(s); err == nil && v > 0 {
			return v
		}
		return d
	}
	return Durations{
		Connect:       parse(t.Connect, DefaultConnectTimeout),
		RequestHeader: parse(t.RequestHeader, DefaultRequestHeaderTimeout),
		Idle:          parse(t.Idle, DefaultIdleTimeout),
		HalfClosed:    parse(t.HalfClosed, DefaultHalfClosedTimeout),
	}
}
