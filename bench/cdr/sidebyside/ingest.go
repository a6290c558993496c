package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/rampart-sec/rampart/bench/procstat"
	"github.com/rampart-sec/rampart/internal/freeport"
)

// ingestResult is the UDP ingest measurement: VXLAN datagrams sent over loopback to a
// running rampart-cdr, and what its /status says it received.
type ingestResult struct {
	Sent        int
	SendRate    float64 // datagrams/s the sender achieved
	Received    uint64  // /status details.packets
	KernelDrops uint64  // /status details.drops.kernel: the socket queue overflowed
	Findings    uint64
	ReceiverCPU time.Duration // the sensor's CPU time while the datagrams were sent and read
	SenderCPU   time.Duration // this process's CPU time while sending (sendmmsg, loopback delivery)
}

// Lost is how many datagrams sent were not received.
func (r ingestResult) Lost() int { return max(r.Sent-int(r.Received), 0) }

// LossRatio is Lost / Sent.
func (r ingestResult) LossRatio() float64 {
	if r.Sent == 0 {
		return 0
	}
	return float64(r.Lost()) / float64(r.Sent)
}

// sensorStatus is the part of rampart-cdr's GET /status this harness reads.
type sensorStatus struct {
	Ready   bool `json:"ready"`
	Details struct {
		Packets uint64 `json:"packets"`
		Drops   struct {
			Kernel uint64 `json:"kernel"`
		} `json:"drops"`
		Findings uint64 `json:"findings"`
	} `json:"details"`
}

// measureIngest starts rampart-cdr listening for VXLAN on a loopback port, sends payloads
// to it at rate datagrams/s from senders sockets, waits until it has read what it will read, and stops it.
func measureIngest(ctx context.Context, bin, workDir string, payloads [][]byte, rate, senders int, gso bool) (ingestResult, error) {
	adminPort, err := freeport.Find()
	if err != nil {
		return ingestResult{}, err
	}
	vxlanPort, err := freeUDPPort()
	if err != nil {
		return ingestResult{}, err
	}
	configPath := filepath.Join(workDir, "rampart-cdr-ingest.json")
	config := map[string]any{
		"listen":   map[string]any{"address": "127.0.0.1", "vxlan": vxlanPort},
		"admin":    map[string]any{"listen": fmt.Sprintf("127.0.0.1:%d", adminPort)},
		"findings": map[string]any{"json_log": filepath.Join(workDir, "rampart-cdr-ingest-findings.jsonl")},
	}
	data, _ := json.MarshalIndent(config, "", "  ")
	if err := os.WriteFile(configPath, data, 0o644); err != nil {
		return ingestResult{}, fmt.Errorf("write sensor config: %w", err)
	}
	sensor, err := startSensor(bin, configPath, filepath.Join(workDir, "rampart-cdr-ingest.log"))
	if err != nil {
		return ingestResult{}, err
	}
	defer sensor.stop()
	poller := statusPoller{url: fmt.Sprintf("http://127.0.0.1:%d/status", adminPort), exited: sensor.exited, logs: sensor.log.Name()}
	if _, err := poller.waitReady(15 * time.Second); err != nil {
		return ingestResult{}, err
	}

	cpuBefore, err := procstat.CPU(sensor.cmd.Process.Pid)
	if err != nil {
		return ingestResult{}, err
	}
	senderBefore := selfCPU()
	sent, sendErr := sendParallel(ctx, fmt.Sprintf("127.0.0.1:%d", vxlanPort), payloads, rate, senders, gso, 60*time.Second)
	senderCPU := selfCPU() - senderBefore
	st, err := poller.waitDrained(uint64(sent.Sent), 15*time.Second)
	if err != nil {
		return ingestResult{}, err
	}
	cpuAfter, err := procstat.CPU(sensor.cmd.Process.Pid)
	if err != nil {
		return ingestResult{}, err
	}
	result := ingestResult{
		Sent: sent.Sent, SendRate: sent.Rate(), Received: st.Details.Packets, KernelDrops: st.Details.Drops.Kernel,
		Findings: st.Details.Findings, ReceiverCPU: cpuAfter - cpuBefore, SenderCPU: senderCPU,
	}
	return result, sendErr
}

// freeUDPPort finds a loopback port that both TCP (freeport's check) and UDP can bind.
func freeUDPPort() (int, error) {
	for range 20 {
		port, err := freeport.Find()
		if err != nil {
			return 0, err
		}
		conn, err := net.ListenPacket("udp4", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		conn.Close()
		return port, nil
	}
	return 0, errors.New("no free loopback UDP port found")
}

// sensorProcess is the rampart-cdr this harness started; it is stopped by its PID only.
type sensorProcess struct {
	cmd    *exec.Cmd
	log    *os.File
	exited chan struct{}
}

func startSensor(bin, configPath, logPath string) (*sensorProcess, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start rampart-cdr: %w", err)
	}
	cmd := exec.Command(bin, "-config", configPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = environWithout("CDR_")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start rampart-cdr (%s): %w", bin, err)
	}
	p := &sensorProcess{cmd: cmd, log: logFile, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// stop sends SIGTERM and kills the sensor if it has not exited 5 s later.
func (p *sensorProcess) stop() {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
	p.log.Close()
}

// statusPoller reads a sensor's GET /status until a condition holds. exited, when it
// closes, ends the wait early (the sensor process died); nil never closes.
type statusPoller struct {
	url    string
	exited <-chan struct{}
	logs   string // where to look when it fails
}

// waitReady polls /status until the sensor says it is ready (its sockets are bound).
func (p statusPoller) waitReady(timeout time.Duration) (sensorStatus, error) {
	deadline := time.Now().Add(timeout)
	for {
		st, err := p.status()
		if err == nil && st.Ready {
			return st, nil
		}
		if err := p.pause(deadline); err != nil {
			return st, fmt.Errorf("rampart-cdr not ready on %s: %w; see %s", p.url, err, p.logs)
		}
	}
}

// waitDrained polls /status until the sensor has counted want datagrams, or its count has
// not moved for a second (the rest were lost), or timeout passes.
func (p statusPoller) waitDrained(want uint64, timeout time.Duration) (sensorStatus, error) {
	deadline := time.Now().Add(timeout)
	var last sensorStatus
	lastChange := time.Now()
	for {
		st, err := p.status()
		if err != nil {
			return st, fmt.Errorf("rampart-cdr status: %w; see %s", err, p.logs)
		}
		if st.Details.Packets >= want {
			return st, nil
		}
		if st.Details.Packets != last.Details.Packets {
			last, lastChange = st, time.Now()
		} else if time.Since(lastChange) > time.Second {
			return st, nil
		}
		if err := p.pause(deadline); err != nil {
			return st, nil // what it counted by the deadline is the result
		}
	}
}

// pause waits one polling interval; it fails when the sensor exited or deadline passed.
func (p statusPoller) pause(deadline time.Time) error {
	if time.Now().After(deadline) {
		return errors.New("timed out")
	}
	select {
	case <-p.exited:
		return errors.New("rampart-cdr exited")
	case <-time.After(50 * time.Millisecond):
		return nil
	}
}

func (p statusPoller) status() (sensorStatus, error) {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(p.url)
	if err != nil {
		return sensorStatus{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return sensorStatus{}, err
	}
	var st sensorStatus
	if err := json.Unmarshal(body, &st); err != nil {
		return st, fmt.Errorf("decode %s: %w", p.url, err)
	}
	return st, nil
}
