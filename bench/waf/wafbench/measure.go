package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/bench/benchproc"
	"github.com/rampart-sec/rampart/bench/procstat"
)

// measurement is one system serving one case.
type measurement struct {
	Case   string
	System string
	RPS    float64
	P99    time.Duration
	// CPUPerReq is the CPU of the system's server processes per request served in the
	// measurement window (for "backend", the backend itself).
	CPUPerReq time.Duration
	// BackendCPUPerReq is the backend's CPU per request behind a WAF (0 for "backend").
	BackendCPUPerReq time.Duration
	// Errors counts non-2xx answers and socket errors; CPU per request is meaningful only
	// when it is 0.
	Errors int64
	// OtherLoad is the CPU, in cores, that processes other than the server, the backend
	// and wrk used during the window: above ~0.1 the figures are indicative only.
	OtherLoad float64
}

// target is a running system under measurement.
type target struct {
	System  string
	BaseURL string             // http://127.0.0.1:port
	Server  *benchproc.Process // the measured server; the backend for the "backend" system
	Backend *benchproc.Process
	// BackendServedURL reads the backend's request counter, directly.
	BackendServedURL string
}

// window is the measured part of a wrk run: wrk runs warmUp + Window + tail, and CPU and
// served requests are sampled at the window's edges, so connection set-up and the
// requests in flight when wrk stops do not distort the per-request figure.
type window struct {
	WarmUp time.Duration
	Length time.Duration
	Tail   time.Duration
}

// sample is the counters read at one edge of the window.
type sample struct {
	at         time.Time
	serverCPU  time.Duration
	backendCPU time.Duration
	wrkCPU     time.Duration
	machine    time.Duration
	served     int64
}

// measureCase runs wrk for c against t and returns the figures.
func (r *runner) measureCase(t target, c wrkCase) (measurement, error) {
	m := measurement{Case: c.Name, System: t.System}
	l := r.load
	l.Duration = r.window.WarmUp + r.window.Length + r.window.Tail
	logPath := filepath.Join(r.workDir, fmt.Sprintf("wrk-%s-%s.txt", t.System, c.Name))
	wrk, err := r.procs.Start("wrk", logPath, r.wrkBin, wrkArgs(l, c, t.BaseURL)...)
	if err != nil {
		return m, err
	}
	defer r.procs.Stop(wrk)

	if err := r.pause(r.window.WarmUp); err != nil {
		return m, err
	}
	before, err := takeSample(t, wrk)
	if err != nil {
		return m, err
	}
	if err := r.pause(r.window.Length); err != nil {
		return m, err
	}
	after, err := takeSample(t, wrk)
	if err != nil {
		return m, err
	}
	select {
	case <-wrk.Exited():
	case <-time.After(r.window.Tail + 20*time.Second):
		return m, fmt.Errorf("wrk did not finish within %s of its duration", r.window.Tail+20*time.Second)
	case <-r.interrupted:
		return m, errInterrupted
	}
	out, err := os.ReadFile(logPath)
	if err != nil {
		return m, fmt.Errorf("read wrk output: %w", err)
	}
	if wrk.Err() != nil {
		return m, fmt.Errorf("wrk failed (%v):\n%s", wrk.Err(), out)
	}
	res, err := parseWrk(string(out))
	if err != nil {
		return m, err
	}
	served := after.served - before.served
	if served <= 0 {
		return m, fmt.Errorf("%s %s: the backend served no request during the measurement window (wrk: %d non-2xx, %d socket errors)", t.System, c.Name, res.Non2xx, res.SocketErrors)
	}
	serverCPU := after.serverCPU - before.serverCPU
	backendCPU := after.backendCPU - before.backendCPU
	m.RPS = res.RPS
	m.P99 = res.P99
	m.Errors = res.Non2xx + res.SocketErrors
	m.CPUPerReq = serverCPU / time.Duration(served)
	ours := serverCPU + (after.wrkCPU - before.wrkCPU)
	if t.Server != t.Backend {
		m.BackendCPUPerReq = backendCPU / time.Duration(served)
		ours += backendCPU
	}
	elapsed := after.at.Sub(before.at)
	m.OtherLoad = max(0, float64(after.machine-before.machine-ours)/float64(elapsed))
	return m, nil
}

func takeSample(t target, wrk *benchproc.Process) (sample, error) {
	var s sample
	var err error
	s.at = time.Now()
	if s.serverCPU, err = procstat.TreeCPU(t.Server.PID()); err != nil {
		return s, fmt.Errorf("%s CPU: %w", t.System, err)
	}
	if s.backendCPU, err = procstat.CPU(t.Backend.PID()); err != nil {
		return s, fmt.Errorf("backend CPU: %w", err)
	}
	if s.wrkCPU, err = procstat.CPU(wrk.PID()); err != nil {
		return s, fmt.Errorf("wrk CPU: %w", err)
	}
	if s.machine, err = procstat.MachineBusy(); err != nil {
		return s, err
	}
	if s.served, err = readServed(t.BackendServedURL); err != nil {
		return s, err
	}
	return s, nil
}

// readServed reads the backend's request counter.
func readServed(url string) (int64, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, fmt.Errorf("read the backend's request count: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64))
	if err != nil {
		return 0, fmt.Errorf("read the backend's request count: %w", err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(body)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("backend request count %q: %w", body, err)
	}
	return n, nil
}
