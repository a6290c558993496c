package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/rampart-sec/rampart/bench/benchproc"
)

// runner holds what every step of the run needs.
type runner struct {
	workDir    string
	gatewayBin string
	squidBin   string
	certgenBin string
	setup      setup // Dir is set per started process
	origin     *origin
	procs      *benchproc.Set

	window   window
	clients  clientCounts
	capacity int // connections of the capacity row
}

// clientCounts are how many clients each throughput row runs.
type clientCounts struct {
	Download, Small, Cache int
}

// Case names, as they appear in the table and in bench/results/gateway.json.
const (
	caseDownload  = "tunnel-50mb-download"
	caseSmall     = "tunnel-100b-keepalive"
	caseHitHTTP   = "cache-hit-1mb-http"
	caseHitTLS    = "cache-hit-1mb-intercepted"
	perClientCap  = 1_000_000 // requests per client per row, whatever the window
	logLinePrefix = "gatewaybench:"
)

// routes are the ways to the origin through a proxy set up by s.
func routes(s setup) (tunnel, plain, intercepted route) {
	tunnel = route{Mode: viaTunnel, Proxy: loopback(s.ProxyPort), Port: s.OriginTLSPort, Roots: s.PKI.originCA.pool()}
	// Plain HTTP goes to the caching port: rampart-gateway's proxy port does not cache.
	// Squid's ssl-bump port serves absolute-URI requests like any http_port, from the
	// same memory cache.
	plain = route{Mode: viaPlainHTTP, Proxy: loopback(s.CachePort), Port: s.OriginHTTPPort}
	intercepted = route{Mode: viaTunnel, Proxy: loopback(s.CachePort), Port: s.OriginTLSPort, Roots: s.PKI.interceptCA.pool()}
	return tunnel, plain, intercepted
}

// runSystem measures the four throughput rows of one system on a fresh process.
func (r *runner) runSystem(ctx context.Context, system string) ([]measurement, error) {
	p, err := r.start(system, "throughput")
	if err != nil {
		return nil, err
	}
	defer r.procs.Stop(p)
	tunnel, plain, intercepted := routes(r.setup)

	// Before any figure: the allowed list is enforced, and every route returns the
	// origin's bytes. The two cacheable fetches also fill the caches.
	if err := verifyRefuses(system, loopback(r.setup.ProxyPort), r.setup.OriginTLSPort, r.setup.OriginHTTPPort); err != nil {
		return nil, err
	}
	checks := []struct {
		rt   route
		path string
		want []byte
	}{
		{tunnel, downloadPath, r.origin.download},
		{tunnel, smallPath, r.origin.small},
		{plain, objectPath, r.origin.object},
		{intercepted, objectPath, r.origin.object},
	}
	for _, c := range checks {
		if err := verifyBody(ctx, system, c.rt, c.path, c.want); err != nil {
			return nil, err
		}
	}

	cases := []loadCase{
		{Name: caseDownload, Clients: r.clients.Download, Route: tunnel, Path: downloadPath, Size: downloadSize},
		{Name: caseSmall, Clients: r.clients.Small, Route: tunnel, Path: smallPath, Size: smallSize},
		{Name: caseHitHTTP, Clients: r.clients.Cache, Route: plain, Path: objectPath, Size: objectSize},
		{Name: caseHitTLS, Clients: r.clients.Cache, Route: intercepted, Path: objectPath, Size: objectSize},
	}
	var ms []measurement
	for _, c := range cases {
		c.MaxPerClient = perClientCap
		logf("%-16s %-26s %d clients for %s", system, c.Name, c.Clients, r.window.WarmUp+r.window.Length)
		fetchesBefore := r.origin.served(c.Path)
		res, err := runLoad(ctx, c, r.window, p.PID())
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w (logs in %s)", system, c.Name, err, r.workDir)
		}
		m := measurement{Case: c.Name, System: system, Load: res}
		if c.Path == objectPath {
			m.OriginFetches = r.origin.served(c.Path) - fetchesBefore
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// runCapacityRow measures the footprint of a fresh process of system holding r.capacity
// tunnels.
func (r *runner) runCapacityRow(ctx context.Context, system string) (measurement, error) {
	m := measurement{Case: capacityCase(r.capacity), System: system}
	p, err := r.start(system, "capacity")
	if err != nil {
		return m, err
	}
	defer r.procs.Stop(p)
	tunnel, _, _ := routes(r.setup)
	logf("%-16s %-26s %d connections", system, m.Case, r.capacity)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	res, err := runCapacity(ctx, tunnel, r.capacity, p.PID())
	if err != nil {
		return m, fmt.Errorf("%s %s: %w (logs in %s)", system, m.Case, err, r.workDir)
	}
	m.Capacity = &res
	return m, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, logLinePrefix+" "+format+"\n", args...)
}

// capacityCase names the capacity row after its connection count.
func capacityCase(n int) string { return fmt.Sprintf("capacity-%d-tunnels", n) }
