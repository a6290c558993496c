package cdr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
)

// sharedPcaps are the labelled captures of /work/shared/data/pcaps (see its README).
const sharedPcaps = "../../../shared/data/pcaps"

func sharedPcap(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(sharedPcaps, name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("capture %s is missing: the shared test data lives in /work/shared/data/pcaps (README.md there lists the files): %v", name, err)
	}
	return path
}

func defaultConfig(t *testing.T, edit func(*config.Config)) *config.Config {
	t.Helper()
	cfg := &config.Config{}
	if edit != nil {
		edit(cfg)
	}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func replay(t *testing.T, path string, cfg *config.Config) (ReplaySummary, []findings.Finding) {
	t.Helper()
	var got []findings.Finding
	summary, err := Replay(path, cfg, func(f findings.Finding) { got = append(got, f) })
	if err != nil {
		t.Fatal(err)
	}
	return summary, got
}

// The real AWS mirror capture: VXLAN on UDP 4789, VNI 5569041, SSH, DNS and NTP inside.
// Every frame decodes completely and nothing is reported.
func TestReplayAWSMirrorCapture(t *testing.T) {
	summary, got := replay(t, sharedPcap(t, "aws-mirror-vxlan.pcap"), defaultConfig(t, nil))
	c := summary.Counts
	if c.Packets == 0 || c.Decoded != c.Packets || c.Truncated+c.Malformed+c.NotIP != 0 {
		t.Errorf("counts %+v: want every frame decoded", c)
	}
	if len(got) != 0 {
		t.Errorf("findings on the AWS mirror capture, want none: %+v", got)
	}
	if c.Flows.Created == 0 {
		t.Error("no flows")
	}
	if !strings.HasSuffix(summary.String(), "0 truncated, 0 findings") {
		t.Errorf("summary %q", summary)
	}
}

func TestReplayVXLANSmall(t *testing.T) {
	summary, got := replay(t, sharedPcap(t, "vxlan-small.pcap"), defaultConfig(t, nil))
	if c := summary.Counts; c.Decoded == 0 || c.Malformed+c.Truncated != 0 {
		t.Errorf("counts %+v", c)
	}
	if len(got) != 0 {
		t.Errorf("findings, want none: %+v", got)
	}
}

// 192.168.2.154 probing 10 ports of 192.168.2.22: a port scan with the reference tool's
// test threshold of 5 unique ports; none with the default 25.
func TestReplayPortScan(t *testing.T) {
	path := sharedPcap(t, "port-scan.pcap")
	_, got := replay(t, path, defaultConfig(t, func(c *config.Config) {
		c.Detections = &config.Detections{Scan: &config.ScanDetection{Threshold: 5}}
	}))
	if len(got) != 1 {
		t.Fatalf("%d findings, want 1 port scan: %+v", len(got), got)
	}
	f := got[0]
	if f.Type != findings.TypePortScan || f.Source != "192.168.2.154" || !strings.HasPrefix(f.Destination, "192.168.2.22") {
		t.Errorf("finding %+v, want a port scan from 192.168.2.154 to 192.168.2.22", f)
	}
	if _, quiet := replay(t, path, defaultConfig(t, nil)); len(quiet) != 0 {
		t.Errorf("findings with the default threshold of 25: %+v", quiet)
	}
}

// A bfgminer session: stratum and getblocktemplate. One coin-miner finding naming the
// client, the pool and the protocol.
func TestReplayStratumSession(t *testing.T) {
	_, got := replay(t, sharedPcap(t, "stratum-bitcoin-mining.pcap"), defaultConfig(t, nil))
	var miners []findings.Finding
	for _, f := range got {
		if f.Type == findings.TypeCoinMiner {
			miners = append(miners, f)
		} else {
			t.Errorf("unexpected finding %+v", f)
		}
	}
	if len(miners) == 0 {
		t.Fatal("no coin-miner finding")
	}
	pools := map[string]bool{"74.84.128.158:3333": true, "113.21.199.11:3333": true}
	var stratum bool
	for _, f := range miners {
		if f.Source != "10.0.2.15" || !pools[f.Destination] {
			t.Errorf("finding %+v: want client 10.0.2.15 and one of the capture's pools", f)
		}
		if p, _ := f.Evidence["protocol"].(string); p == "stratum" {
			stratum = true
		}
	}
	if !stratum {
		t.Errorf("no finding names the stratum protocol: %+v", miners)
	}
}
