package cdr

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
	"github.com/rampart-sec/rampart/runtime/cdr/pcapfile"
)

// ReplaySummary is what a replay of a capture file saw.
type ReplaySummary struct {
	File           string
	Format         string // pcap or pcapng
	Counts         Counts
	Findings       int
	FindingsByType map[string]int
	Elapsed        time.Duration // wall-clock time of the replay
}

// String is the one-line summary `rampart-cdr replay` prints last.
func (s ReplaySummary) String() string {
	return fmt.Sprintf("%s: %d frames (%d not IP, %d malformed, %d filtered); %d packets decoded, %d truncated, %d findings",
		s.File, s.Counts.Packets, s.Counts.NotIP, s.Counts.Malformed, s.Counts.Filtered,
		s.Counts.Decoded, s.Counts.Truncated, s.Findings)
}

// Replay runs a pcap or pcapng file through the same pipeline as live traffic, with the
// packets' own timestamps as the clock, and hands each finding to publish. Frames are
// Ethernet (or raw IP, or Linux cooked); VXLAN sent to listen.vxlan is unwrapped.
func Replay(path string, cfg *config.Config, publish func(findings.Finding)) (ReplaySummary, error) {
	summary := ReplaySummary{File: path, FindingsByType: map[string]int{}}
	counted := func(f findings.Finding) {
		summary.Findings++
		summary.FindingsByType[f.Type]++
		publish(f)
	}
	r, err := pcapfile.Open(path)
	if err != nil {
		return summary, err
	}
	defer r.Close()
	summary.Format = r.Format()
	pipeline, err := NewPipeline(cfg, counted)
	if err != nil {
		return summary, err
	}
	start := time.Now()
	var last time.Time
	for {
		frame, ts, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			// A capture cut off mid-frame (a sensor killed while writing) still counts.
			pipeline.Finish(last)
			summary.Counts = pipeline.Counters()
			return summary, fmt.Errorf("replay %s after %d frames: %w", path, pipeline.counts.Packets, err)
		}
		if ts.After(last) {
			last = ts
		}
		pipeline.Frame(r.LinkType(), frame, last)
		pipeline.Advance(last)
	}
	pipeline.Finish(last)
	summary.Counts = pipeline.Counters()
	summary.Elapsed = time.Since(start)
	return summary, nil
}
