package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rampart-sec/rampart/runtime/cdr"
	"github.com/rampart-sec/rampart/runtime/cdr/config"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
)

// replay is `rampart-cdr replay [-config PATH] FILE...`: findings as JSON lines on stdout,
// then one summary line per file. Exit status 0 when every file was read, 1 otherwise.
func replay(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("replay", flag.ContinueOnError)
	flags.SetOutput(stderr)
	configPath := flags.String("config", "", "JSON configuration whose detections apply (default: the built-in defaults)")
	quiet := flags.Bool("quiet", false, "print only the summaries, not the findings")
	flags.Usage = func() {
		fmt.Fprintln(stderr, `Usage: rampart-cdr replay [-config PATH] [-quiet] FILE...

Runs pcap or pcapng files (Ethernet, raw IP or Linux cooked; VXLAN on listen.vxlan is
unwrapped) through the sensor's decoder and detectors. Example:

  rampart-cdr replay capture.pcap
  rampart-cdr replay -config sensor.json -quiet mirror-*.pcapng

Flags:`)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() == 0 {
		fmt.Fprintln(stderr, "rampart-cdr replay: name at least one capture file")
		flags.Usage()
		return 2
	}
	cfg, err := replayConfig(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, "rampart-cdr replay:", err)
		return 1
	}
	enc := json.NewEncoder(stdout)
	publish := func(f findings.Finding) {
		if !*quiet {
			_ = enc.Encode(f)
		}
	}
	status := 0
	for _, path := range flags.Args() {
		summary, err := cdr.Replay(path, cfg, publish)
		if err != nil {
			fmt.Fprintln(stderr, "rampart-cdr replay:", err)
			status = 1
			if summary.Counts.Packets == 0 {
				continue
			}
		}
		fmt.Fprintln(stdout, summary)
	}
	return status
}

func replayConfig(path string) (*config.Config, error) {
	if path == "" {
		cfg := &config.Config{}
		cfg.ApplyDefaults()
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cdr config: %w", err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("cdr config %s: %w", path, err)
	}
	return cfg, nil
}
