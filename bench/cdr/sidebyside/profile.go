package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr"
	"github.com/rampart-sec/rampart/runtime/cdr/config"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
)

// profileRounds is how many times the capture is replayed under the profiler: one replay
// of a million packets lasts about a second, too few samples (100 per second) to rank the
// functions reliably.
const profileRounds = 5

// writeProfiles profiles, in this process and through the same code rampart-cdr runs, the
// replay of the VXLAN scan (replay-vxlan.pprof) and the UDP ingest of its datagrams
// (udp-ingest.pprof, where the sender's functions show too). The profiles name the
// functions that hold the sensor back: go tool pprof -top FILE.
func writeProfiles(ctx context.Context, dir string, vxlan capture, payloads [][]byte, rate int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("profile directory: %w", err)
	}
	cfg := &config.Config{}
	cfg.ApplyDefaults()
	err := profile(filepath.Join(dir, "replay-vxlan.pprof"), func() error {
		for range profileRounds {
			if _, err := cdr.Replay(vxlan.Path, cfg, func(findings.Finding) {}); err != nil {
				return fmt.Errorf("profile replay of %s: %w", vxlan.Path, err)
			}
		}
		return nil
	})
	if err != nil || len(payloads) == 0 {
		return err
	}
	return profile(filepath.Join(dir, "udp-ingest.pprof"), func() error {
		return ingestInProcess(ctx, dir, payloads, rate)
	})
}

func profile(path string, work func() error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	defer pprof.StopCPUProfile()
	return work()
}

// ingestInProcess runs the sensor (cdr.New, as cmd/rampart-cdr does) in this process and
// sends it the datagrams.
func ingestInProcess(ctx context.Context, dir string, payloads [][]byte, rate int) error {
	vxlanPort, err := freeUDPPort()
	if err != nil {
		return err
	}
	configPath := filepath.Join(dir, "sensor.json")
	data := fmt.Sprintf(`{"listen": {"address": "127.0.0.1", "vxlan": %d}, "admin": {"listen": "127.0.0.1:0"}}`, vxlanPort)
	if err := os.WriteFile(configPath, []byte(data), 0o644); err != nil {
		return fmt.Errorf("profile sensor config: %w", err)
	}
	sensor, err := cdr.New(cdr.Options{ConfigPath: configPath, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return fmt.Errorf("profile sensor: %w", err)
	}
	if err := sensor.Start(); err != nil {
		return fmt.Errorf("profile sensor: %w", err)
	}
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sensor.Shutdown(shutdown)
	}()
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(vxlanPort))
	sent, err := sendPaced(ctx, addr, payloads, rate, 60*time.Second)
	if err != nil {
		return err
	}
	// Profile until the sensor has read what it will read, not only the sending.
	poller := statusPoller{url: "http://" + sensor.AdminAddr().String() + "/status", logs: "(in process)"}
	_, err = poller.waitDrained(uint64(sent.Sent), 15*time.Second)
	return err
}
