package scanner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/scanner/capacity"
	"github.com/rampart-sec/rampart/runtime/scanner/checks"
	"github.com/rampart-sec/rampart/runtime/scanner/config"
	"github.com/rampart-sec/rampart/runtime/scanner/lab"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
	"github.com/rampart-sec/rampart/runtime/scanner/targets"
)

func labTargets(l *lab.Lab, names ...string) []targets.Target {
	var out []targets.Target
	for _, n := range names {
		out = append(out, targets.Target{Addr: l.Host(n).Addr})
	}
	return out
}

func openPorts(h results.Host) []uint16 {
	var out []uint16
	for _, p := range h.Open {
		out = append(out, uint16(p.Port))
	}
	return out
}

// Every TCP port of every lab host, in both modes: exactly the open ports, the filtered
// host's dropped ports counted as filtered, the closed host up with nothing open.
func TestLabScanFindsExactlyTheOpenPorts(t *testing.T) {
	l := standardLab(t)
	// SYN probes cost little: every port. Connect probes cost a socket each: the first 10,000
	// ports (every lab service is among them) keep the test within its time on two cores.
	portSets := map[string]string{config.ModeSYN: "all", config.ModeConnect: "1-10000"}
	for _, mode := range []string{config.ModeConnect, config.ModeSYN} {
		t.Run(mode, func(t *testing.T) {
			engine, err := NewEngine(EngineOptions{Mode: mode, Capacity: capacity.Derive(capacity.ReadLimits()), Logger: logging.Discard()})
			if err != nil {
				t.Fatal(err)
			}
			defer engine.Close()
			if engine.Mode != mode {
				t.Fatalf("engine mode %s, want %s", engine.Mode, mode)
			}
			ports, _ := config.ParsePorts(portSets[mode])
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			names := []string{lab.HostWeak, lab.HostHardened, lab.HostDB, lab.HostFiltered, lab.HostClosed}
			report := engine.Scan(ctx, Request{
				Targets: labTargets(l, names...), Ports: ports, Timing: config.ProfileNamed(config.ProfileDiscovery),
			})
			for i, h := range report.Hosts {
				host := l.Host(names[i])
				if !h.Up {
					t.Errorf("%s (%s) not up: %s", host.Name, h.Addr, h.UpReason)
					continue
				}
				want := slices.Sorted(slices.Values(host.Open))
				if got := openPorts(h); !slices.Equal(got, want) {
					t.Errorf("%s: open %v, want exactly %v", host.Name, got, want)
				}
				if host.Name == lab.HostFiltered && h.Filtered != len(ports)-5 {
					t.Errorf("filtered host: %d filtered, %d closed; want all but 5 ports filtered (dropped) and 3 closed", h.Filtered, h.Closed)
				}
				if host.Name != lab.HostFiltered && h.Filtered != 0 {
					t.Errorf("%s: %d ports filtered, want 0 (every port answers)", host.Name, h.Filtered)
				}
			}
		})
	}
}

// labPorts are the ports the services of the lab listen on, plus a few closed ones.
const labPorts = "21,22,25,80,443,5432,6379,8080,9999"

// The weak host's planted weaknesses are each reported, the hardened copy gets none of
// them, and each service is named (with its version where the banner gives it).
func TestLabServicesAndFindings(t *testing.T) {
	l := standardLab(t)
	engine, err := NewEngine(EngineOptions{Mode: config.ModeAuto, Capacity: capacity.Derive(capacity.ReadLimits()), Logger: logging.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	ports, _ := config.ParsePorts(labPorts)
	timing := config.ProfileNamed(config.ProfileStandard)
	timing.ServiceTimeout = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	names := []string{lab.HostWeak, lab.HostHardened, lab.HostDB}
	report := engine.Scan(ctx, Request{Targets: labTargets(l, names...), Ports: ports, Timing: timing})

	services := map[string]map[int]results.Port{}
	for i, h := range report.Hosts {
		services[names[i]] = map[int]results.Port{}
		for _, p := range h.Open {
			services[names[i]][p.Port] = p
		}
	}
	wantServices := []struct {
		host    string
		port    int
		name    string
		product string
		version bool
	}{
		{lab.HostWeak, 22, "ssh", "OpenSSH", true},
		{lab.HostWeak, 80, "http", "nginx", true},
		{lab.HostWeak, 443, "https", "nginx", true},
		{lab.HostWeak, 6379, "redis", "Redis", true},
		{lab.HostHardened, 22, "ssh", "OpenSSH", true},
		{lab.HostHardened, 80, "http", "nginx", false}, // server_tokens off: no version to give
		{lab.HostHardened, 6379, "redis", "", false},
		{lab.HostDB, 5432, "postgresql", "", false},
	}
	for _, w := range wantServices {
		got, ok := services[w.host][w.port]
		if !ok {
			t.Errorf("%s:%d not found open", w.host, w.port)
			continue
		}
		if got.Service != w.name || (w.product != "" && got.Product != w.product) || (w.version && got.Version == "") {
			t.Errorf("%s:%d identified as %+v, want %s %s (version: %v)", w.host, w.port, got, w.name, w.product, w.version)
		}
	}
	if got := services[lab.HostDB][lab.SilentPort]; got.Service != "" {
		t.Errorf("silent port named %q: it never said a word", got.Service)
	}

	byHost := map[string][]checks.Finding{}
	for _, f := range report.Findings {
		byHost[f.Host] = append(byHost[f.Host], f)
	}
	weak, hardened := l.Host(lab.HostWeak).Addr.String(), l.Host(lab.HostHardened).Addr.String()
	planted := []struct {
		port  int
		check string
	}{
		{443, "tls-legacy-version"}, {443, "tls-cert-expiring"}, {443, "tls-cert-self-signed"},
		{22, "ssh-weak-kex"}, {22, "ssh-weak-mac"}, {6379, "redis-no-auth"},
		{80, "http-missing-security-headers"}, {80, "http-directory-listing"},
	}
	for _, p := range planted {
		if f, ok := findFinding(byHost[weak], p.port, p.check); !ok {
			t.Errorf("weak host: no finding %s on port %d; findings:\n%s", p.check, p.port, describe(byHost[weak]))
		} else if f.Severity < 1 || f.Severity > 5 || f.Evidence == "" || f.Remediation == "" {
			t.Errorf("finding %+v lacks severity, evidence or remediation", f)
		}
		if f, ok := findFinding(byHost[hardened], p.port, p.check); ok {
			t.Errorf("hardened host: planted-weakness finding %q on port %d, want none", f.CheckID, p.port)
		}
	}
}

func findFinding(findings []checks.Finding, port int, checkID string) (checks.Finding, bool) {
	for _, f := range findings {
		if f.Port == port && f.CheckID == checkID {
			return f, true
		}
	}
	return checks.Finding{}, false
}

func describe(findings []checks.Finding) string {
	var b strings.Builder
	for _, f := range findings {
		fmt.Fprintf(&b, "  %d %s %q (severity %d)\n", f.Port, f.CheckID, f.Title, f.Severity)
	}
	return b.String()
}
