package detect

import (
	"fmt"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/detect/beacon"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/dga"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/dnstunnel"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/miner"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/scan"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
)

// Turning detector reports into findings: type, title, severity and evidence.

func newFinding(typ, title string, severity int, first, last time.Time, vni uint32, src, dst string, evidence map[string]any) findings.Finding {
	f := findings.Finding{
		Type: typ, Title: title, Severity: severity, FirstSeen: first.UTC(), LastSeen: last.UTC(),
		Source: src, Destination: dst, VNI: vni, Evidence: evidence, Count: 1,
	}
	f.SetID()
	return f
}

func scanFinding(r scan.Report) findings.Finding {
	severity := 5
	if 2*r.NmapSYN >= r.Unique {
		severity = 6 // nmap's fingerprint on most probes: a tool, not a misconfigured client
	}
	ev := map[string]any{
		"unique_targets": r.Unique, "hosts": r.Hosts, "ports": r.Ports,
		"sample_ports": r.SamplePorts, "nmap_syn": r.NmapSYN,
	}
	dst := ""
	title := "Random scan"
	switch r.Kind {
	case scan.KindPort:
		dst = r.Victim.String()
		title = fmt.Sprintf("Port scan of %s (%d ports)", dst, r.Ports)
	case scan.KindAddress:
		dst = fmt.Sprintf("*:%d", r.Port)
		title = fmt.Sprintf("Address scan of port %d (%d hosts)", r.Port, r.Hosts)
	}
	return newFinding(r.Kind, title, severity, r.First, r.Last, r.VNI, r.Scanner.String(), dst, ev)
}

func minerFinding(r miner.Report) findings.Finding {
	client, pool := r.Key.Client.Addr().String(), r.Key.Server.String()
	if r.Binary {
		ev := map[string]any{"signatures": r.Names, "client": client, "server": pool, "sent_by_server": r.FromPool}
		return newFinding(findings.TypeMinerBinary, "Transfer of a coin-miner binary", 8, r.FirstSeen, r.LastSeen,
			r.Key.VNI, client, pool, ev)
	}
	ev := map[string]any{"protocol": r.Protocol, "methods": r.Methods, "client": client, "pool": pool}
	if r.Agent != "" {
		ev["agent"] = r.Agent
	}
	return newFinding(findings.TypeCoinMiner, fmt.Sprintf("Coin-miner %s session to %s", r.Protocol, pool), 7,
		r.FirstSeen, r.LastSeen, r.Key.VNI, client, pool, ev)
}

func beaconFinding(r beacon.Report) findings.Finding {
	severity := 6
	if r.Scores.Score >= 0.95 {
		severity = 7
	}
	ev := map[string]any{
		"score": round3(r.Scores.Score), "timing_score": round3(r.Scores.Timing), "size_score": round3(r.Scores.Size),
		"interval_skew_score": round3(r.Scores.IntervalSkew), "interval_mad_score": round3(r.Scores.IntervalMAD),
		"median_interval_s": round3(r.Scores.MedianInterval), "median_bytes": r.Scores.MedianSize,
		"connections": r.Connections,
	}
	dst := fmt.Sprintf("%s:%d", r.Key.Dst, r.Key.Port)
	if r.Key.Dst.Is6() {
		dst = fmt.Sprintf("[%s]:%d", r.Key.Dst, r.Key.Port)
	}
	return newFinding(findings.TypeBeacon, fmt.Sprintf("Beaconing every %.0fs (score %.2f)", r.Scores.MedianInterval, r.Scores.Score),
		severity, r.First, r.Last, r.Key.VNI, r.Key.Src.String(), dst, ev)
}

func dgaFinding(r dga.Report, resolver Endpoint) findings.Finding {
	severity := 6
	if r.NXRatio() >= 0.5 {
		severity = 7
	}
	ev := map[string]any{"generated_names": r.Names, "examples": r.Examples, "lookups": r.Lookups,
		"nxdomain": r.NXDomain, "nxdomain_ratio": round3(r.NXRatio()), "resolver": resolver.String()}
	return newFinding(findings.TypeDGA, "Lookups of algorithmically generated domains", severity, r.First, r.Last,
		r.Key.VNI, r.Key.Client.String(), "", ev)
}

func tunnelFinding(r dnstunnel.Report, resolver Endpoint) findings.Finding {
	ev := map[string]any{"domain": r.Key.Domain, "unique_subdomains": r.Unique, "long_names": r.LongNames,
		"queries": r.Queries, "txt_or_null": r.TXTOrNULL, "bytes": r.Bytes, "example": r.Example, "resolver": resolver.String()}
	return newFinding(findings.TypeDNSTunnel, "DNS tunnel to "+r.Key.Domain, 7, r.First, r.Last,
		r.Key.VNI, r.Key.Client.String(), r.Key.Domain, ev)
}

func round3(v float64) float64 {
	return float64(int64(v*1000+0.5)) / 1000
}
