package fingerprint

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

func TestParseProbesFile(t *testing.T) {
	pf, err := LoadProbesFile("testdata/user-probes.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.Probes) != 3 || pf.Skipped != 1 {
		t.Fatalf("probes %d skipped %d, want 3 and 1 (the look-ahead pattern)", len(pf.Probes), pf.Skipped)
	}
	gadget := pf.Probes[1]
	if string(gadget.Payload) != "HELLO\r\n" || len(gadget.Ports) != 12 || gadget.Rarity != 1 {
		t.Fatalf("gadget probe %+v", gadget)
	}
	m, ok := gadget.Match([]byte("OK gadget 2.4.1 build 77\r\n"))
	if !ok || m.Service != "gadget" || m.Product != "Gadget server" || m.Version != "2.4.1-77" {
		t.Fatalf("match %+v %v", m, ok)
	}
	null := pf.nullProbe()
	if m, ok := null.Match([]byte("WIDGET ready v3.1\r\n")); !ok || m.Version != "3.1" {
		t.Fatalf("null probe match %+v %v", m, ok)
	}
	if m, ok := null.Match([]byte("WIDGET?")); !ok || m.Service != "widget-ish" {
		t.Fatalf("soft match %+v %v", m, ok)
	}
}

func TestParseProbesFileErrors(t *testing.T) {
	tests := []struct{ file, wantErr string }{
		{"match x m|a|\n", "line 1: match before any Probe line"},
		{"Probe TCP X q|abc\n", "line 1: probe X: unterminated payload"},
		{"Probe TCP X q|a|\nports 70000\n", "line 2: bad port"},
		{"Probe TCP X q|a|\nrarity 12\n", "line 2: rarity"},
		{"Probe TCP X q|a|\nfrobnicate\n", `line 2: unknown directive "frobnicate"`},
		{"Probe TCP X q|\\x4|\n", "short \\x escape"},
	}
	for _, tt := range tests {
		_, err := ParseProbesFile(strings.NewReader(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%q: err %v, want %q", tt.file, err, tt.wantErr)
		}
	}
}

// A user's probe names a service our probe set does not know.
func TestIdentifyWithUserProbes(t *testing.T) {
	pf, err := LoadProbesFile("testdata/user-probes.txt")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				line, _ := bufio.NewReader(c).ReadString('\n')
				if line == "HELLO\r\n" {
					_, _ = c.Write([]byte("OK gadget 2.4.1 build 77\r\n"))
				}
			}()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	svc, err := Identify(context.Background(), loopback, port, Options{Timeout: 2 * time.Second, UserProbes: pf})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Name != "gadget" || svc.Version != "2.4.1-77" || svc.Evidence["matched_by"] != "service_probes_file" {
		t.Fatalf("got %+v", svc)
	}
}
