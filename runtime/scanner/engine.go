// Package scanner is the rampart-scanner runtime: it runs scan jobs (targets → host
// discovery → port scan → service and TLS fingerprinting → vulnerability checks), keeps the
// results in its data directory and serves the admin API (/status, /metrics, /reload).
// Engine is the scanning part, shared with the one-shot `rampart-scanner scan` command;
// Server is the long-running appliance around it.
package scanner

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/capacity"
	"github.com/rampart-sec/rampart/runtime/scanner/checks"
	"github.com/rampart-sec/rampart/runtime/scanner/config"
	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint"
	"github.com/rampart-sec/rampart/runtime/scanner/portscan"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
	"github.com/rampart-sec/rampart/runtime/scanner/targets"
)

// EngineOptions configure an Engine for the life of the process.
type EngineOptions struct {
	Mode      string // config.ModeAuto, ModeConnect or ModeSYN
	RateLimit int    // probes per second; 0: none
	Capacity  capacity.Capacity
	Logger    *slog.Logger
}

// Engine scans with one capacity: one in-flight budget, one prober, one pinger.
type Engine struct {
	Capacity capacity.Capacity
	// Mode is the probing technique in use (connect or syn); ModeNotice says why when it
	// differs from what was asked.
	Mode       string
	ModeNotice string

	budget *portscan.Budget
	prober portscan.Prober
	syn    *portscan.SYNProber // nil in connect mode
	pinger *portscan.Pinger    // nil when ICMP echo is not permitted
	logger *slog.Logger
}

// NewEngine picks the probing mode: syn when asked or (auto) when CAP_NET_RAW is there,
// otherwise connect. Asking for syn without the capability is an error, not a silent downgrade.
func NewEngine(opts EngineOptions) (*Engine, error) {
	e := &Engine{Capacity: opts.Capacity, logger: opts.Logger}
	mode := opts.Mode
	if mode == "" {
		mode = config.ModeAuto
	}
	canRaw := portscan.CanRawSocket()
	switch {
	case mode == config.ModeSYN && !canRaw:
		return nil, fmt.Errorf("mode syn needs CAP_NET_RAW (run as root or grant the capability: setcap cap_net_raw+ep rampart-scanner), or set mode to connect or auto")
	case mode == config.ModeConnect:
		e.budget = portscan.NewBudget(opts.Capacity.ConnectInFlight, opts.RateLimit)
		e.prober, e.Mode = &portscan.ConnectProber{Budget: e.budget}, config.ModeConnect
	case canRaw:
		e.budget = portscan.NewBudget(opts.Capacity.InFlight, opts.RateLimit)
		syn, err := portscan.OpenSYN(e.budget)
		if err != nil {
			return nil, err
		}
		e.syn, e.prober, e.Mode = syn, syn, config.ModeSYN
	default:
		e.budget = portscan.NewBudget(opts.Capacity.ConnectInFlight, opts.RateLimit)
		e.prober, e.Mode = &portscan.ConnectProber{Budget: e.budget}, config.ModeConnect
		e.ModeNotice = "no CAP_NET_RAW: scanning with TCP connect instead of SYN (grant cap_net_raw for half-open scans)"
	}
	if p, err := portscan.OpenPinger(); err == nil {
		e.pinger = p
	} else if e.logger != nil {
		e.logger.Info("host discovery without ICMP echo", slog.String("reason", err.Error()))
	}
	return e, nil
}

// Close releases the raw sockets.
func (e *Engine) Close() {
	if e.syn != nil {
		e.syn.Close()
	}
	if e.pinger != nil {
		e.pinger.Close()
	}
}

// ProbesSent counts probes sent since start.
func (e *Engine) ProbesSent() uint64 { return e.budget.Sent() }

// Request is one scan.
type Request struct {
	Targets []targets.Target
	Ports   []uint16
	Timing  config.Profile
	// SkipDiscovery treats every target as up (nmap -Pn).
	SkipDiscovery bool
	// PerHost caps probes in flight per host (0: capacity's in-flight budget).
	PerHost int
	// UserProbes are the operator's own service probes (service_probes_file).
	UserProbes *fingerprint.ProbesFile
}

// Report is what a scan found.
type Report struct {
	Hosts    []results.Host
	Findings []checks.Finding
}

// Scan runs discovery, port scan, fingerprinting and checks for every target, at most
// Capacity.ParallelHosts hosts at a time. Hosts come back in target order.
func (e *Engine) Scan(ctx context.Context, req Request) Report {
	hosts := make([]results.Host, len(req.Targets))
	findings := make([][]checks.Finding, len(req.Targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(e.Capacity.ParallelHosts, max(len(req.Targets), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				hosts[i], findings[i] = e.scanHost(ctx, req.Targets[i], req)
			}
		}()
	}
	for i := range req.Targets {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	var all []checks.Finding
	for _, f := range findings {
		all = append(all, f...)
	}
	return Report{Hosts: hosts, Findings: all}
}

func (e *Engine) scanHost(ctx context.Context, target targets.Target, req Request) (results.Host, []checks.Finding) {
	host := results.Host{Addr: target.Addr.String(), Name: target.Name}
	up := portscan.HostUp{Up: true, Reason: "host discovery skipped"}
	if !req.SkipDiscovery {
		up = portscan.Discover(ctx, target.Addr, e.pinger, max(req.Timing.MaxProbeTimeout, time.Second))
	}
	host.Up, host.UpReason = up.Up, up.Reason
	if !up.Up {
		return host, nil
	}
	scan := e.prober.ScanHost(ctx, target.Addr, portscan.Options{
		Ports: req.Ports, Retries: req.Timing.Retries,
		MinTimeout: req.Timing.MinProbeTimeout, MaxTimeout: req.Timing.MaxProbeTimeout,
		PerHost: req.PerHost, InitialRTT: up.RTT,
	})
	host.Closed, host.Filtered, host.ScanMillis = scan.Closed, scan.Filtered, scan.Duration.Milliseconds()
	for _, p := range scan.Open {
		host.Open = append(host.Open, results.Port{Port: int(p)})
	}
	if !req.Timing.Services || len(scan.Open) == 0 {
		return host, nil
	}
	services := e.identify(ctx, target, scan.Open, req)
	for i, svc := range services {
		host.Open[i].Service, host.Open[i].Product, host.Open[i].Version = svc.Name, svc.Product, svc.Version
		host.Open[i].TLS = svc.TLS != nil
	}
	if !req.Timing.Checks {
		return host, nil
	}
	return host, checks.Run(target.Addr, services, checks.Options{})
}

// identifyParallel is how many ports of one host are fingerprinted at once: a silent port
// costs the whole service timeout, so they must wait side by side, not in a queue.
const identifyParallel = 16

// identify fingerprints the open ports of one host, in port order.
func (e *Engine) identify(ctx context.Context, target targets.Target, open []uint16, req Request) []fingerprint.Service {
	services := make([]fingerprint.Service, len(open))
	sem := make(chan struct{}, identifyParallel)
	var wg sync.WaitGroup
	for i, port := range open {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			svc, err := fingerprint.Identify(ctx, target.Addr, int(port), fingerprint.Options{
				Timeout: req.Timing.ServiceTimeout, UserProbes: req.UserProbes, ServerName: target.Name,
			})
			if err != nil && e.logger != nil {
				e.logger.Debug("fingerprint", slog.String("target", netip.AddrPortFrom(target.Addr, port).String()), slog.String("error", err.Error()))
			}
			svc.Port = int(port)
			services[i] = svc
		}()
	}
	wg.Wait()
	return slices.Clip(services)
}
