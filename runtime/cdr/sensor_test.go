package cdr

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
	"github.com/rampart-sec/rampart/runtime/cdr/synth"
	"github.com/rampart-sec/rampart/runtime/logging"
)

type testSensor struct {
	*Sensor
	configPath, findingsLog string
	vxlanPort, healthPort   int
	adminURL                string
}

func writeConfig(t *testing.T, path string, cfg map[string]any) {
	t.Helper()
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func startSensor(t *testing.T, filterVNIs []int) *testSensor {
	t.Helper()
	dir := t.TempDir()
	ts := &testSensor{
		configPath:  filepath.Join(dir, "cdr.json"),
		findingsLog: filepath.Join(dir, "findings.jsonl"),
		vxlanPort:   freeport.Port(t),
		healthPort:  freeport.Port(t),
	}
	admin := fmt.Sprintf("127.0.0.1:%d", freeport.Port(t))
	ts.adminURL = "http://" + admin
	writeConfig(t, ts.configPath, ts.config(admin, filterVNIs))
	s, err := New(Options{ConfigPath: ts.configPath, Logger: logging.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	ts.Sensor = s
	return ts
}

func (ts *testSensor) config(admin string, filterVNIs []int) map[string]any {
	return map[string]any{
		"listen":     map[string]any{"address": "127.0.0.1", "vxlan": ts.vxlanPort, "health": ts.healthPort},
		"admin":      map[string]any{"listen": admin},
		"filter":     map[string]any{"vnis": filterVNIs},
		"detections": map[string]any{"scan": map[string]any{"threshold": 5}},
		"findings":   map[string]any{"json_log": ts.findingsLog, "suppress_for": "0s"},
	}
}

// sendScan sends, as VXLAN datagrams of vni, a SYN to each of ports ports of a target and
// the target's reset.
func (ts *testSensor) sendScan(t *testing.T, vni uint32, ports int) {
	t.Helper()
	conn, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", ts.vxlanPort))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	scanner := netip.MustParseAddr("10.6.0.66")
	target := netip.MustParseAddr("10.6.0.1")
	for port := 1; port <= ports; port++ {
		src := netip.AddrPortFrom(scanner, 50000)
		dst := netip.AddrPortFrom(target, uint16(port))
		for _, seg := range []synth.TCPSegment{
			{Src: src, Dst: dst, SYN: true, Window: 1024},
			{Src: dst, Dst: src, RST: true, ACK: true},
		} {
			if _, err := conn.Write(synth.VXLANPayload(vni, synth.TCP(seg))); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func (ts *testSensor) status(t *testing.T) statusDetails {
	t.Helper()
	resp, err := http.Get(ts.adminURL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		ConfigGeneration uint64        `json:"config_generation"`
		Details          statusDetails `json:"details"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st.Details
}

// waitFor polls cond until it holds or 10 s pass; the sensor processes datagrams in the
// background, so there is no event to wait on from outside.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSensorDetectsScanOverVXLAN(t *testing.T) {
	ts := startSensor(t, nil)
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ts.healthPort))
	if err != nil {
		t.Fatalf("health port: %v", err)
	}
	conn.Close()

	ts.sendScan(t, 4242, 8)
	// Counters are published after each batch, findings as they are found: wait for both.
	waitFor(t, "a port-scan finding and 16 packets in /status", func() bool {
		st := ts.status(t)
		return st.FindingsByType["port_scan"] == 1 && st.Packets >= 16
	})
	st := ts.status(t)
	if st.Packets != 16 || st.Bytes == 0 || st.Sources[0].Decoded != 16 {
		t.Errorf("status %+v: want 16 packets decoded", st)
	}
	waitFor(t, "the finding in the JSON log", func() bool {
		data, _ := os.ReadFile(ts.findingsLog)
		return strings.Contains(string(data), `"source":"10.6.0.66"`) && strings.Contains(string(data), `"vni":4242`)
	})

	resp, err := http.Get(ts.adminURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`rampart_cdr_bytes_total{source="vxlan udp://127.0.0.1:`, `rampart_cdr_findings_total{type="port_scan"} 1`, `rampart_cdr_drops_total{reason="kernel"} 0`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	facts := ts.Status().Facts
	if len(facts) != 5 || facts[0].Value != "16" || !strings.HasPrefix(facts[4].Value, "1 (port_scan 1)") {
		t.Errorf("facts %+v", facts)
	}
}

func TestSensorReloadAppliesVNIFilterAndKeepsOldOnError(t *testing.T) {
	ts := startSensor(t, nil)
	cfg := ts.config(strings.TrimPrefix(ts.adminURL, "http://"), []int{7})
	writeConfig(t, ts.configPath, cfg)
	if err := ts.Reload(); err != nil {
		t.Fatal(err)
	}
	ts.sendScan(t, 4242, 8) // not VNI 7: filtered
	waitFor(t, "the datagrams to be counted", func() bool { return ts.status(t).Packets == 16 })
	if st := ts.status(t); st.Sources[0].Filtered != 16 || st.Findings != 0 {
		t.Errorf("status %+v: want 16 filtered and no finding", st)
	}

	if err := os.WriteFile(ts.configPath, []byte(`{"listen": {"vxlan": "not a port"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ts.Reload(); err == nil {
		t.Fatal("a broken configuration reloaded")
	}
	if gen := ts.Status().ConfigGeneration; gen != 2 {
		t.Errorf("generation %d after a good and a bad reload, want 2", gen)
	}
	ts.sendScan(t, 7, 8)
	waitFor(t, "a port-scan finding on VNI 7", func() bool { return ts.status(t).FindingsByType["port_scan"] == 1 })
}

func TestCheckConfigNamesTheField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(`{"listen": {"health": 70000}, "flows": {"idle_timeout": "soon"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err := CheckConfig(path)
	if err == nil || !strings.Contains(err.Error(), "listen.health") || !strings.Contains(err.Error(), "flows.idle_timeout") {
		t.Fatalf("CheckConfig = %v, want errors naming listen.health and flows.idle_timeout", err)
	}
}
