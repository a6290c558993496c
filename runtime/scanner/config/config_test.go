package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParsePorts(t *testing.T) {
	cases := []struct {
		spec    string
		want    int
		contain []uint16
		wantErr string
	}{
		{spec: "all", want: 65535},
		{spec: "top100", want: 100, contain: []uint16{22, 80, 443, 3389, 6379}},
		{spec: "top1000", want: 1000, contain: []uint16{1, 22, 5432, 27017}},
		{spec: "22, 80,8000-8002", want: 5, contain: []uint16{22, 80, 8000, 8001, 8002}},
		{spec: "80,80,79-81", want: 3},
		{spec: "0", wantErr: "not a port"},
		{spec: "90-80", wantErr: "backwards"},
		{spec: "top99", wantErr: "top100, top1000, all"},
		{spec: "", wantErr: "empty port set"},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			ports, err := ParsePorts(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want > 0 && len(ports) != tc.want {
				t.Errorf("%d ports, want %d", len(ports), tc.want)
			}
			for _, p := range tc.contain {
				if _, found := slices.BinarySearch(ports, p); !found {
					t.Errorf("port %d missing", p)
				}
			}
			if !slices.IsSorted(ports) {
				t.Error("ports not sorted")
			}
		})
	}
	if ports, _ := ParsePorts("top1000"); len(ports) != 1000 {
		t.Errorf("top1000 has %d ports", len(ports))
	}
}

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in          string
		first, last string
		name        string
		wantErr     string
	}{
		{in: "10.0.0.5", first: "10.0.0.5", last: "10.0.0.5"},
		{in: "10.0.0.0/30", first: "10.0.0.0", last: "10.0.0.3"},
		{in: "10.0.0.7/30", first: "10.0.0.4", last: "10.0.0.7"},
		{in: "10.0.0.1-20", first: "10.0.0.1", last: "10.0.0.20"},
		{in: "10.0.0.250-10.0.1.2", first: "10.0.0.250", last: "10.0.1.2"},
		{in: "fd00::/120", first: "fd00::", last: "fd00::ff"},
		{in: "db.example.com", name: "db.example.com"},
		{in: "10.0.0.0/8", wantErr: "split it"},
		{in: "10.0.0.9-3", wantErr: "backwards"},
		{in: "bad name!", wantErr: "not an address"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			spec, err := ParseTarget(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.name != "" {
				if spec.Name != tc.name {
					t.Errorf("name %q", spec.Name)
				}
				return
			}
			if spec.First.String() != tc.first || spec.Last.String() != tc.last {
				t.Errorf("got %s-%s, want %s-%s", spec.First, spec.Last, tc.first, tc.last)
			}
		})
	}
}

func TestCronNext(t *testing.T) {
	base := time.Date(2026, 3, 14, 10, 7, 30, 0, time.UTC) // a Saturday
	cases := []struct {
		spec, want string
	}{
		{"*/15 * * * *", "2026-03-14T10:15:00Z"},
		{"0 3 * * *", "2026-03-15T03:00:00Z"},
		{"30 9 * * 1-5", "2026-03-16T09:30:00Z"},
		{"0 0 1 * *", "2026-04-01T00:00:00Z"},
		{"0 12 * * 7", "2026-03-15T12:00:00Z"},
		{"0 0 29 2 *", "2028-02-29T00:00:00Z"},
	}
	for _, tc := range cases {
		c, err := ParseCron(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if got := c.Next(base).Format(time.RFC3339); got != tc.want {
			t.Errorf("%s: next %s, want %s", tc.spec, got, tc.want)
		}
	}
	for _, bad := range []string{"* * * *", "60 * * * *", "*/0 * * * *", "5-1 * * * *"} {
		if _, err := ParseCron(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		json, want string
	}{
		{`{"targets":["10.0.0.0/8"]}`, "targets[0]: "},
		{`{"targets":["10.0.0.1"],"ports":"top7"}`, "ports: "},
		{`{"targets":["10.0.0.1"],"profile":"fast"}`, "profile: \"fast\" is not a profile"},
		{`{"targets":["10.0.0.1"],"mode":"udp"}`, "mode: "},
		{`{"targets":["10.0.0.1"],"interval":"6h","cron":"0 3 * * *"}`, "interval: set interval or cron, not both"},
		{`{"job":[{"name":"n","targets":["10.0.0.1"],"cron":"0 25 * * *"}]}`, "job.n.cron: "},
		{`{"job":[{"name":"n","targets":[]}]}`, "job.n.targets: a job needs at least one target"},
		{`{"targets":["10.0.0.1"],"job":[{"name":"default","targets":["10.0.0.2"]}]}`, "duplicate job name"},
		{`{"targets":["10.0.0.1"],"limits":{"max_probe_timeout":"soon"}}`, "limits.max_probe_timeout: "},
		{`{"ports":"all"}`, "targets: ports, interval and cron describe the default job"},
		{`{"targetz":["10.0.0.1"]}`, "unknown field"},
	}
	for _, tc := range cases {
		_, err := Parse([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.json, err, tc.want)
		}
	}
}

func TestAllJobsAndDefaults(t *testing.T) {
	c, err := Parse([]byte(`{"targets":["10.0.0.1"],"exclude":["10.0.0.9"],"job":[{"name":"deep","targets":["10.0.1.0/24"],"profile":"thorough","cron":"0 3 * * *"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.AdminListen() != "127.0.0.1:9921" || c.Mode != ModeAuto || c.DataDir != DefaultDataDir {
		t.Errorf("defaults: admin %s mode %s data_dir %s", c.AdminListen(), c.Mode, c.DataDir)
	}
	jobs := c.AllJobs()
	if len(jobs) != 2 || jobs[0].Name != DefaultJobName || jobs[0].Ports != "top1000" || jobs[1].Ports != "all" {
		t.Fatalf("jobs = %+v", jobs)
	}
	if !slices.Contains(jobs[1].Exclude, "10.0.0.9") {
		t.Error("top-level exclude must apply to every job")
	}
	timing := (&Config{Limits: &Limits{Retries: 5, MinProbeTimeout: "20ms"}}).Timing(ProfileStandard)
	if timing.Retries != 5 || timing.MinProbeTimeout != 20*time.Millisecond || !timing.Services {
		t.Errorf("timing with overrides = %+v", timing)
	}
}

func TestRestartFields(t *testing.T) {
	a := &Config{Mode: ModeAuto}
	b := &Config{Mode: ModeConnect, Limits: &Limits{InFlight: 10}, Admin: &Admin{Listen: "127.0.0.1:1"}}
	got := b.RestartFields(a)
	want := []string{"admin.listen", "mode", "limits.in_flight"}
	if !slices.Equal(got, want) {
		t.Errorf("restart fields %v, want %v", got, want)
	}
	if f := a.RestartFields(a); len(f) != 0 {
		t.Errorf("unchanged config needs restart: %v", f)
	}
}
