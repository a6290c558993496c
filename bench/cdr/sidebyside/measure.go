package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"
)

// replayer is a system that reads a capture file to the end: rampart-cdr or Suricata.
type replayer interface {
	name() string
	replay(ctx context.Context, c capture) (systemRun, error)
}

// systemRun is what one run of a system over a capture cost and found.
type systemRun struct {
	CPU        time.Duration
	Wall       time.Duration
	Packets    int // as the system itself counted them
	Detections int // findings (rampart-cdr) or alerts (Suricata)
}

// replayResult is one system on one capture.
type replayResult struct {
	Case       string
	System     string
	Packets    int
	Bytes      int64
	CPU        time.Duration // median over the repeats, start-up included
	StartupCPU time.Duration // median CPU time of a run over a one-packet capture
	Detections int
}

// PacketCPU is the CPU time spent on the packets: the run minus the program's start-up
// (loading rules, building tables), which a long-running sensor pays once.
func (r replayResult) PacketCPU() time.Duration {
	return max(r.CPU-r.StartupCPU, time.Microsecond)
}

// PacketsPerCoreSecond is packets per second of one core's CPU time.
func (r replayResult) PacketsPerCoreSecond() float64 {
	return float64(r.Packets) / r.PacketCPU().Seconds()
}

// BytesPerCoreSecond is bytes of frames per second of one core's CPU time.
func (r replayResult) BytesPerCoreSecond() float64 {
	return float64(r.Bytes) / r.PacketCPU().Seconds()
}

// measureReplays runs every system over every capture repeat times (the median counts) and
// over the one-packet capture to learn each system's start-up cost.
func measureReplays(ctx context.Context, systems []replayer, captures []capture, startupCapture capture, repeat int) ([]replayResult, error) {
	var out []replayResult
	for _, sys := range systems {
		startup, _, err := medianRun(ctx, sys, startupCapture, repeat)
		if err != nil {
			return nil, err
		}
		log.Printf("%s: start-up on a one-packet capture: %s CPU", sys.name(), startup.CPU.Round(time.Millisecond))
		for _, c := range captures {
			median, all, err := medianRun(ctx, sys, c, repeat)
			if err != nil {
				return nil, err
			}
			if median.Packets != c.Packets {
				return nil, fmt.Errorf("%s read %d packets of %s, which holds %d", sys.name(), median.Packets, c.Path, c.Packets)
			}
			r := replayResult{Case: c.Case, System: sys.name(), Packets: c.Packets, Bytes: c.Bytes,
				CPU: median.CPU, StartupCPU: startup.CPU, Detections: median.Detections}
			log.Printf("%s %s: CPU %s (runs: %s), %d detections, %.0f packets/s per core",
				sys.name(), c.Case, r.CPU.Round(time.Millisecond), cpuList(all), r.Detections, r.PacketsPerCoreSecond())
			out = append(out, r)
		}
	}
	return out, nil
}

// medianRun runs sys over c repeat times and returns the run of median CPU time.
func medianRun(ctx context.Context, sys replayer, c capture, repeat int) (systemRun, []systemRun, error) {
	runs := make([]systemRun, 0, repeat)
	for range repeat {
		if err := ctx.Err(); err != nil {
			return systemRun{}, nil, err
		}
		run, err := sys.replay(ctx, c)
		if err != nil {
			return systemRun{}, nil, err
		}
		runs = append(runs, run)
	}
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b systemRun) int { return int(a.CPU - b.CPU) })
	return sorted[len(sorted)/2], runs, nil
}

func cpuList(runs []systemRun) string {
	s := ""
	for i, r := range runs {
		if i > 0 {
			s += " "
		}
		s += r.CPU.Round(time.Millisecond).String()
	}
	return s
}
