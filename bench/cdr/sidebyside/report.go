package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"
)

// Row is one figure of bench/results/cdr.json (DESIGN §8).
type Row struct {
	Case   string  `json:"case"`
	System string  `json:"system"`
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
}

const caseUDPIngest = "udp-ingest"

// Targets of issue 7.
const (
	targetVXLANPacketsPerCore = 3_000_000
	targetIngestRate          = 400_000
)

// rows turns the measurements into result records.
func rows(replays []replayResult, ingest *ingestResult) []Row {
	var out []Row
	for _, r := range replays {
		out = append(out,
			Row{r.Case, r.System, "packets_per_s_per_core", round(r.PacketsPerCoreSecond(), 0), "packets/s"},
			Row{r.Case, r.System, "bytes_per_s_per_core", round(r.BytesPerCoreSecond(), 0), "B/s"},
			Row{r.Case, r.System, "cpu_s", round(r.CPU.Seconds(), 3), "s"},
			Row{r.Case, r.System, "startup_cpu_s", round(r.StartupCPU.Seconds(), 3), "s"},
			Row{r.Case, r.System, "packets", float64(r.Packets), "packets"},
			Row{r.Case, r.System, "bytes", float64(r.Bytes), "B"},
			Row{r.Case, r.System, "detections", float64(r.Detections), detectionUnit(r.System)},
		)
	}
	if ingest != nil {
		out = append(out,
			Row{caseUDPIngest, systemRampart, "sent", float64(ingest.Sent), "datagrams"},
			Row{caseUDPIngest, systemRampart, "send_rate", round(ingest.SendRate, 0), "datagrams/s"},
			Row{caseUDPIngest, systemRampart, "received", float64(ingest.Received), "datagrams"},
			Row{caseUDPIngest, systemRampart, "lost", float64(ingest.Lost()), "datagrams"},
			Row{caseUDPIngest, systemRampart, "loss_ratio", round(ingest.LossRatio(), 6), "ratio"},
			Row{caseUDPIngest, systemRampart, "kernel_drops", float64(ingest.KernelDrops), "datagrams"},
			Row{caseUDPIngest, systemRampart, "cpu_us_per_packet", round(perPacket(ingest.ReceiverCPU, ingest.Received), 3), "µs"},
			Row{caseUDPIngest, "sender", "cpu_us_per_packet", round(perPacket(ingest.SenderCPU, uint64(ingest.Sent)), 3), "µs"},
			Row{caseUDPIngest, systemRampart, "detections", float64(ingest.Findings), "findings"},
		)
	}
	return out
}

func detectionUnit(system string) string {
	if system == systemSuricata {
		return "alerts"
	}
	return "findings"
}

func perPacket(cpu time.Duration, packets uint64) float64 {
	if packets == 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / float64(packets)
}

func round(v float64, decimals int) float64 {
	scale := math.Pow(10, float64(decimals))
	return math.Round(v*scale) / scale
}

// writeResults writes the rows as indented JSON to path.
func writeResults(path string, rs []Row) error {
	data, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// printTable prints the replays side by side, then the UDP ingest.
func printTable(w io.Writer, replays []replayResult, ingest *ingestResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tsystem\tpackets\tMB\tCPU s\tstart-up s\tMpps/core\tMB/s/core\tdetections\t")
	for _, r := range replays {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%.3f\t%.3f\t%.2f\t%.1f\t%d %s\t\n",
			r.Case, r.System, r.Packets, float64(r.Bytes)/1e6, r.CPU.Seconds(), r.StartupCPU.Seconds(),
			r.PacketsPerCoreSecond()/1e6, r.BytesPerCoreSecond()/1e6, r.Detections, detectionUnit(r.System))
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "(CPU s: user + system time of the process, all threads, median of the runs; per core: packets or\n"+
		" bytes per second of that CPU time after subtracting the start-up, a run over a one-packet capture)")
	if ingest == nil {
		return
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tsystem\tsent\tsend rate/s\treceived\tlost\tkernel drops\tCPU µs/packet\tsender µs/packet\tfindings\t")
	fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%d\t%d (%.3f%%)\t%d\t%.3f\t%.3f\t%d\t\n", caseUDPIngest, systemRampart,
		ingest.Sent, ingest.SendRate, ingest.Received, ingest.Lost(), 100*ingest.LossRatio(), ingest.KernelDrops,
		perPacket(ingest.ReceiverCPU, ingest.Received), perPacket(ingest.SenderCPU, uint64(ingest.Sent)), ingest.Findings)
	_ = tw.Flush()
}

// verdict is one target of issue 7 and whether this run met it.
type verdict struct {
	Text   string
	Met    bool
	Absent bool
}

// verdicts checks the two targets and states the ratio to Suricata per case.
func verdicts(replays []replayResult, ingest *ingestResult) []verdict {
	find := func(c, system string) (replayResult, bool) {
		for _, r := range replays {
			if r.Case == c && r.System == system {
				return r, true
			}
		}
		return replayResult{}, false
	}
	var out []verdict
	if r, ok := find(caseScanVXLAN, systemRampart); ok {
		v := r.PacketsPerCoreSecond()
		out = append(out, verdict{Text: fmt.Sprintf("rampart-cdr on the VXLAN scan capture, all detections on: %.2f Mpps per core (target ≥ %.1f)", v/1e6, targetVXLANPacketsPerCore/1e6), Met: v >= targetVXLANPacketsPerCore})
	} else {
		out = append(out, verdict{Text: "rampart-cdr on the VXLAN scan capture: not measured", Absent: true})
	}
	for _, c := range allCases {
		r, okR := find(c, systemRampart)
		s, okS := find(c, systemSuricata)
		if okR && okS {
			out = append(out, verdict{Text: fmt.Sprintf("%s: rampart-cdr / suricata packets per core-second: %.2f×", c, r.PacketsPerCoreSecond()/s.PacketsPerCoreSecond()), Met: r.PacketsPerCoreSecond() >= s.PacketsPerCoreSecond()})
		}
	}
	if ingest != nil {
		met := ingest.SendRate >= targetIngestRate && ingest.Lost() == 0
		out = append(out, verdict{Text: fmt.Sprintf("UDP ingest: %.0f datagrams/s sent, %d lost (target ≥ %d/s without loss)", ingest.SendRate, ingest.Lost(), targetIngestRate), Met: met})
	} else {
		out = append(out, verdict{Text: "UDP ingest: not measured", Absent: true})
	}
	return out
}

func printVerdicts(w io.Writer, vs []verdict) {
	for _, v := range vs {
		mark := "met"
		switch {
		case v.Absent:
			mark = "-"
		case !v.Met:
			mark = "NOT met"
		}
		fmt.Fprintf(w, "  %s  [%s]\n", v.Text, mark)
	}
}
