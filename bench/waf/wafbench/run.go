package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rampart-sec/rampart/bench/benchproc"
)

var errInterrupted = errors.New("interrupted")

// runner holds what every step of the run needs.
type runner struct {
	load        load
	window      window
	workDir     string
	ports       ports
	wrkBin      string
	backendBin  string
	wafBin      string
	nginxBin    string
	nginx       nginxSetup // Dir, Listen and Backend are filled in by startNginx
	procs       *benchproc.Set
	interrupted <-chan struct{} // closed on SIGINT or SIGTERM
}

// pause waits d, or returns errInterrupted.
func (r *runner) pause(d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-r.interrupted:
		return errInterrupted
	}
}

// runAll runs the selected systems one after the other and returns their measurements.
// The backend runs throughout: it is the upstream of every WAF.
func (r *runner) runAll(selected []string) ([]measurement, error) {
	for _, port := range r.ports.all() {
		if err := benchproc.EnsurePortFree(loopback(port), "choose other ports with -base-port"); err != nil {
			return nil, err
		}
	}
	body := jsonPostBody()
	script, err := writePostScript(r.workDir, body)
	if err != nil {
		return nil, err
	}
	cases := []wrkCase{
		{Name: "get-4-args", Path: getPath},
		{Name: "json-post-2k", Path: postPath, Script: script},
	}
	requests := []benchRequest{
		{Case: cases[0].Name, Method: "GET", Path: getPath},
		{Case: cases[1].Name, Method: "POST", Path: postPath, ContentType: "application/json", Body: body},
	}

	backend, err := r.startBackend()
	if err != nil {
		return nil, err
	}
	var ms []measurement
	for _, system := range selected {
		t := target{
			System:           system,
			Backend:          backend,
			BackendServedURL: "http://" + loopback(r.ports.Backend) + "/__bench/served",
		}
		var serverLog string
		switch system {
		case systemBackend:
			t.Server, t.BaseURL, serverLog = backend, "http://"+loopback(r.ports.Backend), filepath.Join(r.workDir, "backend.log")
		case systemRampartOff, systemRampart:
			mode := "block"
			if system == systemRampartOff {
				mode = "off"
			}
			t.Server, err = r.startRampart(mode)
			t.BaseURL = "http://" + loopback(r.ports.Rampart)
			serverLog = filepath.Join(r.workDir, "rampart-waf-"+mode, "rampart-waf.log")
		case systemNginx:
			t.Server, err = r.startNginx()
			t.BaseURL = "http://" + loopback(r.ports.Nginx)
			serverLog = filepath.Join(r.workDir, "nginx", "error.log")
		}
		if err != nil {
			return nil, err
		}
		if err := verifyPasses(system, t.BaseURL, serverLog, requests); err != nil {
			return nil, err
		}
		if system == systemRampart || system == systemNginx {
			if err := verifyBlocks(system, t.BaseURL); err != nil {
				return nil, err
			}
		}
		for _, c := range cases {
			fmt.Fprintf(os.Stderr, "wafbench: %-18s %-13s wrk -c %d for %s\n", system, c.Name, r.load.Connections, r.window.WarmUp+r.window.Length+r.window.Tail)
			m, err := r.measureCase(t, c)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", system, c.Name, err)
			}
			ms = append(ms, m)
		}
		if t.Server != backend {
			r.procs.Stop(t.Server)
		}
	}
	return ms, nil
}
