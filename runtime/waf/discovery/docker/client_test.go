package docker

import "testing"

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		raw      string
		tls      bool
		network  string
		address  string
		host     string
		local    bool
		wantFail bool
	}{
		{raw: "unix:///var/run/docker.sock", network: "unix", address: "/var/run/docker.sock", host: "127.0.0.1", local: true},
		{raw: "tcp://10.0.0.5:2376", network: "tcp", address: "10.0.0.5:2376", host: "10.0.0.5"},
		{raw: "tcp://10.0.0.5", network: "tcp", address: "10.0.0.5:2375", host: "10.0.0.5"},
		{raw: "tcp://10.0.0.5", tls: true, network: "tcp", address: "10.0.0.5:2376", host: "10.0.0.5"},
		{raw: "tcp://127.0.0.1:2375", network: "tcp", address: "127.0.0.1:2375", host: "127.0.0.1", local: true},
		{raw: "tcp://[::1]:2375", network: "tcp", address: "[::1]:2375", host: "::1", local: true},
		{raw: "http://10.0.0.5:2375", wantFail: true},
		{raw: "unix://", wantFail: true},
		{raw: "tcp://:2375", wantFail: true},
	}
	for _, tt := range tests {
		ep, err := ParseEndpoint(tt.raw, tt.tls)
		if tt.wantFail {
			if err == nil {
				t.Errorf("ParseEndpoint(%q) accepted", tt.raw)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", tt.raw, err)
			continue
		}
		if ep.Network != tt.network || ep.Address != tt.address || ep.Host() != tt.host || ep.Local() != tt.local {
			t.Errorf("ParseEndpoint(%q) = %+v host %s local %v; want %s %s host %s local %v",
				tt.raw, ep, ep.Host(), ep.Local(), tt.network, tt.address, tt.host, tt.local)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		newest, minimum string
		want            string
		wantFail        bool
	}{
		{newest: "1.41", minimum: "1.12", want: "1.41"},   // Docker 20.10: its own version
		{newest: "1.52", minimum: "1.44", want: "1.51"},   // newer engine: capped at ours
		{newest: "1.60", minimum: "1.55", want: "1.55"},   // our cap below its minimum: its minimum
		{newest: "1.9", minimum: "", wantFail: true},      // 1.9 < 1.24 numerically
		{newest: "1.23", minimum: "1.12", wantFail: true}, // too old
		{newest: "", minimum: "", wantFail: true},         // said nothing
		{newest: "1.100", minimum: "1.24", want: "1.51"},  // compared as numbers
		{newest: "1.24", minimum: "1.12", want: "1.24"},   // the oldest spoken
		{newest: "1.45", minimum: "", want: "1.45"},       // no minimum given
	}
	for _, tt := range tests {
		got, err := negotiate(tt.newest, tt.minimum)
		if tt.wantFail {
			if err == nil {
				t.Errorf("negotiate(%q, %q) = %q, want an error", tt.newest, tt.minimum, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("negotiate(%q, %q) = %q, %v; want %q", tt.newest, tt.minimum, got, err, tt.want)
		}
	}
}

func TestNewClientTLSChoice(t *testing.T) {
	tests := []struct {
		raw  string
		tls  TLSMaterial
		base string
		fail bool
	}{
		{raw: "tcp://10.0.0.5:2375", base: "http://10.0.0.5:2375"},
		{raw: "tcp://10.0.0.5:2376", base: "https://10.0.0.5:2376"}, // Docker's TLS port
		{raw: "unix:///var/run/docker.sock", base: "http://docker"},
		{raw: "unix:///var/run/docker.sock", tls: TLSMaterial{CA: "x"}, fail: true},
		{raw: "tcp://10.0.0.5:2376", tls: TLSMaterial{CA: "not pem"}, fail: true},
		{raw: "tcp://10.0.0.5:2376", tls: TLSMaterial{PrivateKey: "x"}, fail: true},
	}
	for _, tt := range tests {
		c, err := NewClient(tt.raw, Options{TLS: tt.tls})
		if tt.fail {
			if err == nil {
				t.Errorf("NewClient(%q, %+v) accepted", tt.raw, tt.tls)
			}
			continue
		}
		if err != nil || c.baseURL != tt.base {
			t.Errorf("NewClient(%q): base %v, %v; want %s", tt.raw, c, err, tt.base)
		}
	}
}
