package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/memtune"
	"github.com/rampart-sec/rampart/runtime/scanner"
	"github.com/rampart-sec/rampart/runtime/scanner/capacity"
	"github.com/rampart-sec/rampart/runtime/scanner/checks"
	"github.com/rampart-sec/rampart/runtime/scanner/config"
	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
)

// scanOutput is what `scan -json` prints: the run's summary, its findings and the capacity used.
type scanOutput struct {
	Summary  results.Summary   `json:"summary"`
	Findings []checks.Finding  `json:"findings"`
	Capacity capacity.Capacity `json:"scanning_capacity"`
}

// runScan is `rampart-scanner scan`: one scan of the targets on the command line.
func runScan(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ports := fs.String("ports", "", "port set: top100, top1000, all, or a list such as 22,80,8000-8100 (default: the profile's)")
	profile := fs.String("profile", config.ProfileStandard, "discovery (ports only), standard or thorough")
	mode := fs.String("mode", config.ModeAuto, "auto, connect or syn (syn needs CAP_NET_RAW)")
	services := fs.Bool("services", true, "identify services and run vulnerability checks on open ports; false scans ports only, with the discovery profile's timing")
	skipDiscovery := fs.Bool("Pn", false, "treat every target as up: skip host discovery")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	rate := fs.Int("rate", 0, "most probes per second (0: no limit beyond capacity)")
	inFlight := fs.Int("in-flight", 0, "most probes in flight (0: derived from CPU and memory limits)")
	parallelHosts := fs.Int("parallel-hosts", 0, "most hosts at once (0: derived)")
	perHost := fs.Int("per-host", 0, "most probes in flight per host (0: the in-flight budget)")
	retries := fs.Int("retries", 0, "retries of unanswered probes (0: the profile's)")
	serviceTimeout := fs.Duration("service-timeout", 0, "bound on identifying one port (0: the profile's)")
	probesFile := fs.String("service-probes-file", "", "your own service probe file (opt-in; none is bundled)")
	exclude := fs.String("exclude", "", "comma-separated targets never to probe")
	verbose := fs.Bool("v", false, "log progress (JSON) to stderr")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: rampart-scanner scan [flags] TARGET...

Scans the targets once and prints the open ports, their services and the findings.
TARGET is an address, a CIDR (10.0.0.0/24), a range (10.0.0.1-20) or a host name.
Example: rampart-scanner scan -ports all -json 10.0.0.5 10.0.0.6

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "rampart-scanner scan: give at least one target")
		fs.Usage()
		return 2
	}
	limits := &config.Limits{InFlight: *inFlight, ParallelHosts: *parallelHosts, PerHost: *perHost, Retries: *retries}
	if *serviceTimeout > 0 {
		limits.ServiceTimeout = serviceTimeout.String()
	}
	cfg := &config.Config{
		Targets: fs.Args(), Ports: *ports, Profile: *profile, Mode: *mode, RateLimit: *rate,
		SkipHostDiscovery: *skipDiscovery, ServiceProbesFile: *probesFile, Limits: limits,
	}
	if *exclude != "" {
		cfg.Exclude = strings.Split(*exclude, ",")
	}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, "rampart-scanner scan:", err)
		return 2
	}

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := logging.New(stderr, "scanner", level)
	memtune.Apply()
	capa := capacity.Derive(capacity.ReadLimits()).Override(*inFlight, *parallelHosts)
	engine, err := scanner.NewEngine(scanner.EngineOptions{Mode: cfg.Mode, RateLimit: cfg.RateLimit, Capacity: capa, Logger: logger})
	if err != nil {
		fmt.Fprintln(stderr, "rampart-scanner scan:", err)
		return 1
	}
	defer engine.Close()
	if engine.ModeNotice != "" {
		fmt.Fprintln(stderr, "notice:", engine.ModeNotice)
	}
	logger.Info(capa.Reason)
	var userProbes *fingerprint.ProbesFile
	if *probesFile != "" {
		if userProbes, err = fingerprint.LoadProbesFile(*probesFile); err != nil {
			fmt.Fprintln(stderr, "rampart-scanner scan: -service-probes-file:", err)
			return 1
		}
	}
	job := cfg.AllJobs()[0]
	if !*services {
		job.Profile = config.ProfileDiscovery
		if *ports == "" {
			job.Ports = config.ProfileNamed(*profile).Ports
		}
	}
	ctx, stop := admin.ShutdownContext(context.Background())
	defer stop()
	sum, findings := scanner.RunJob(ctx, engine, cfg, job, userProbes)
	sum.Diff = results.Compare("", nil, findings)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if findings == nil {
			findings = []checks.Finding{}
		}
		if err := enc.Encode(scanOutput{Summary: sum, Findings: findings, Capacity: capa}); err != nil {
			fmt.Fprintln(stderr, "rampart-scanner scan:", err)
			return 1
		}
	} else {
		printText(stdout, sum, findings)
	}
	if sum.Error != "" {
		fmt.Fprintln(stderr, "rampart-scanner scan:", sum.Error)
		return 1
	}
	return 0
}

func printText(w io.Writer, sum results.Summary, findings []checks.Finding) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, h := range sum.Hosts {
		if !h.Up {
			fmt.Fprintf(tw, "%s\tdown\t(%s)\n", h.Addr, h.UpReason)
			continue
		}
		fmt.Fprintf(tw, "%s\tup\t(%s) %d open, %d closed, %d filtered\n", h.Addr, h.UpReason, len(h.Open), h.Closed, h.Filtered)
		for _, p := range h.Open {
			fmt.Fprintf(tw, "  %d/tcp\topen\t%s\t%s\n", p.Port, p.Service, strings.TrimSpace(p.Product+" "+p.Version))
		}
	}
	tw.Flush()
	for _, f := range findings {
		fmt.Fprintf(w, "[%s] %s:%d %s — %s\n", results.SeverityName(f.Severity), f.Host, f.Port, f.Title, f.Evidence)
	}
	fmt.Fprintf(w, "%d hosts, %d up, %d open ports, %d findings in %s (%s scan)\n",
		sum.HostsScanned, sum.HostsUp, sum.OpenPorts, sum.Findings, sum.FinishedAt.Sub(sum.StartedAt).Round(time.Millisecond), sum.Mode)
}
