package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
)

// testTuning is the CRS test setup (crs-setup for go-ftw, rule 900005 upstream): limits
// and UTF-8 validation the regression tests are written against, and the JSON response
// bodies the 95x response tests produce. It is the policy's crs_setup, loaded where CRS
// expects crs-setup.conf: before the rules, so that phase-1 rules such as 920400
// (tx.max_file_size) see it. Detection-only and paranoia level 4 come from the policy.
const testTuning = `SecResponseBodyMimeType text/plain text/html text/xml application/json
SecAction "id:10005,phase:1,nolog,pass,t:none,setvar:tx.crs_validate_utf8_encoding=1,setvar:tx.arg_name_length=100,setvar:tx.arg_length=400,setvar:tx.total_arg_length=64000,setvar:tx.max_num_args=255,setvar:tx.max_file_size=64100,setvar:tx.combined_file_sizes=65535,setvar:tx.reporting_level=4"`

// wafProcess is a running rampart-waf binary configured for the corpus.
type wafProcess struct {
	cmd     *exec.Cmd
	addr    string // 127.0.0.1:port of the HTTP listener
	logs    *logIndex
	exited  chan struct{}
	waitErr error
	dir     string
	stopped sync.Once
}

// wafConfig is the configuration the corpus runs under: one default site in detect mode
// at paranoia level 4 with response inspection, in front of the backend, with the access
// log on (its record ends each request's log) and the rules' matched data in the events
// (the corpus checks ModSecurity's "Matched Data: … found within …" log text).
func wafConfig(httpPort int, adminSocket, backendAddr string) map[string]any {
	return map[string]any{
		"listen": map[string]any{"address": "127.0.0.1", "http": httpPort},
		"admin":  map[string]any{"listen": "unix:" + adminSocket},
		"server_pool": []any{map[string]any{
			"name":   "backend",
			"member": []any{map[string]any{"address": backendAddr}},
		}},
		"site": []any{map[string]any{
			"name": "crs",
			"pool": "backend",
			"policy": map[string]any{
				"mode":                "detect",
				"paranoia_level":      4,
				"response_inspection": true,
				"crs_setup":           []string{testTuning},
			},
		}},
		"events": map[string]any{"access_log": true, "log_matched_data": true},
		// Every test must be inspected, never refused for overload: a long queue.
		"inspection": map[string]any{"queue_length": 256, "queue_timeout": "60s"},
	}
}

// startWAF writes the configuration and starts bin; it returns once the WAF answers and
// its log correlates requests (an access record arrives for a probe request).
func startWAF(bin, backendAddr string, echo io.Writer) (*wafProcess, error) {
	dir, err := os.MkdirTemp("", "ftw")
	if err != nil {
		return nil, err
	}
	port, err := freeport.Find()
	if err != nil {
		return nil, err
	}
	cfg, err := json.MarshalIndent(wafConfig(port, filepath.Join(dir, "admin.sock"), backendAddr), "", "  ")
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(dir, "waf.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return nil, err
	}

	cmd := exec.Command(bin, "-config", cfgPath)
	cmd.Env = cleanEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the runner
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	w := &wafProcess{cmd: cmd, addr: fmt.Sprintf("127.0.0.1:%d", port), logs: newLogIndex(), exited: make(chan struct{}), dir: dir}
	go func() {
		w.logs.follow(stderr, echo)
		w.waitErr = cmd.Wait()
		close(w.exited)
	}()
	if err := w.waitReady(90 * time.Second); err != nil {
		w.stop()
		return nil, err
	}
	return w, nil
}

// cleanEnv keeps the WAF from reading settings meant for another WAF (syslog, admin).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "WAF_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// waitReady polls until a probe request is answered with an X-Request-Id whose access
// record appears in the log. Compiling the Core Rule Set takes a few seconds.
func (w *wafProcess) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		select {
		case <-w.exited:
			return fmt.Errorf("rampart-waf exited during start-up (%v):\n%s", w.waitErr, w.logs.recent())
		default:
		}
		id, err := w.probe()
		if err != nil {
			time.Sleep(100 * time.Millisecond) // polling a process that is still starting
			continue
		}
		if id == "" {
			return errors.New("rampart-waf answered without X-Request-Id: the runner cannot correlate its log")
		}
		if _, complete := w.logs.wait(id, 10*time.Second); !complete {
			return errors.New("rampart-waf wrote no access record for a probe request within 10s: the runner needs events.access_log records (with request_id) to know when a request's security events are complete")
		}
		return nil
	}
	return fmt.Errorf("rampart-waf did not answer on %s within %s:\n%s", w.addr, limit, w.logs.recent())
}

func (w *wafProcess) probe() (string, error) {
	conn, err := net.DialTimeout("tcp", w.addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: rampart ftw probe\r\nAccept: */*\r\nConnection: close\r\n\r\n"); err != nil {
		return "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return resp.Header.Get("X-Request-Id"), nil
}

// stop ends the WAF (SIGTERM, then SIGKILL after 10 s) and removes its files.
func (w *wafProcess) stop() {
	w.stopped.Do(func() {
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-w.exited:
		case <-time.After(10 * time.Second):
			_ = w.cmd.Process.Kill()
			<-w.exited
		}
		os.RemoveAll(w.dir)
	})
}
