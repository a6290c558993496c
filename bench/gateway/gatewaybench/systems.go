package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rampart-sec/rampart/bench/benchproc"
)

// The systems compared, in the order they run (one at a time: the machine has 2 cores).
const (
	systemGateway = "rampart-gateway"
	systemSquid   = "squid"
)

var allSystems = []string{systemGateway, systemSquid}

// readyTimeout bounds a proxy's start-up.
const readyTimeout = 30 * time.Second

// start starts a fresh process of system with its own directory workDir/<system>-<phase>,
// and waits until it serves.
func (r *runner) start(system, phase string) (*benchproc.Process, error) {
	s := r.setup
	s.Dir = filepath.Join(r.workDir, system+"-"+phase)
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", s.Dir, err)
	}
	for _, port := range []int{s.ProxyPort, s.CachePort, s.AdminPort} {
		if err := benchproc.EnsurePortFree(loopback(port), "run again (ports are picked afresh)"); err != nil {
			return nil, err
		}
	}
	switch system {
	case systemGateway:
		return r.startGateway(s)
	case systemSquid:
		return r.startSquid(s)
	}
	return nil, fmt.Errorf("unknown system %q", system)
}

func (r *runner) startGateway(s setup) (*benchproc.Process, error) {
	configPath, err := writeGatewayConfig(s, gatewayConfig(s))
	if err != nil {
		return nil, err
	}
	p, err := r.procs.Start(systemGateway, filepath.Join(s.Dir, "gateway.log"), r.gatewayBin, "-config", configPath)
	if err != nil {
		return nil, err
	}
	admin := "http://" + loopback(s.AdminPort) + "/healthz"
	return p, p.WaitReady("healthy admin API", readyTimeout, benchproc.HTTPOK(admin))
}

// startSquid runs Squid in the foreground (-N: no daemon, one process plus its
// certificate helpers) from the run's squid.conf, after Squid itself has checked it.
func (r *runner) startSquid(s setup) (*benchproc.Process, error) {
	// 0755: Squid drops root for the user "proxy", which must reach its directory.
	if err := os.Chmod(r.workDir, 0o755); err != nil {
		return nil, fmt.Errorf("open %s to Squid: %w", r.workDir, err)
	}
	confPath, err := prepareSquid(s, r.certgenBin)
	if err != nil {
		return nil, err
	}
	check, err := r.procs.Start("squid -k parse", filepath.Join(s.Dir, "squid-parse.log"), r.squidBin, "-k", "parse", "-f", confPath)
	if err != nil {
		return nil, err
	}
	select {
	case <-check.Exited():
	case <-time.After(readyTimeout):
	}
	r.procs.Stop(check)
	if check.Err() != nil {
		out, _ := os.ReadFile(check.LogPath())
		return nil, fmt.Errorf("squid rejects the benchmark's squid.conf (%v):\n%s", check.Err(), out)
	}
	p, err := r.procs.Start(systemSquid, filepath.Join(s.Dir, "squid.out"), r.squidBin, "-N", "-f", confPath)
	if err != nil {
		return nil, err
	}
	err = p.WaitReady("listening ports", readyTimeout, benchproc.Accepting(loopback(s.ProxyPort), loopback(s.CachePort)))
	if err != nil {
		return p, fmt.Errorf("%w (and %s)", err, filepath.Join(s.Dir, "cache.log"))
	}
	return p, nil
}
