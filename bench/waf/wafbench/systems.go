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
	systemBackend    = "backend"
	systemRampartOff = "rampart-waf-off"
	systemRampart    = "rampart-waf"
	systemNginx      = "nginx-modsecurity"
)

var allSystems = []string{systemBackend, systemRampartOff, systemRampart, systemNginx}

// ports are the loopback ports of the run, derived from one base port.
type ports struct {
	Backend, Rampart, RampartAdmin, Nginx int
}

func portsFrom(base int) ports {
	return ports{Backend: base, Rampart: base + 1, RampartAdmin: base + 2, Nginx: base + 3}
}

func (p ports) all() []int { return []int{p.Backend, p.Rampart, p.RampartAdmin, p.Nginx} }

func loopback(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

// readyTimeout bounds start-up: loading the Core Rule Set takes a second or two.
const readyTimeout = 30 * time.Second

func (r *runner) startBackend() (*benchproc.Process, error) {
	addr := loopback(r.ports.Backend)
	p, err := r.procs.Start("backend", filepath.Join(r.workDir, "backend.log"), r.backendBin, "-listen", addr)
	if err != nil {
		return nil, err
	}
	return p, waitAnswer(p, "http://"+addr+"/")
}

// startRampart starts rampart-waf with policy mode "off" or "block".
func (r *runner) startRampart(mode string) (*benchproc.Process, error) {
	dir := filepath.Join(r.workDir, "rampart-waf-"+mode)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	configPath := filepath.Join(dir, "waf.json")
	c := rampartConfig(r.ports.Rampart, r.ports.RampartAdmin, loopback(r.ports.Backend), mode)
	if err := writeRampartConfig(configPath, c); err != nil {
		return nil, err
	}
	p, err := r.procs.Start("rampart-waf ("+mode+")", filepath.Join(dir, "rampart-waf.log"), r.wafBin, "-config", configPath)
	if err != nil {
		return nil, err
	}
	return p, waitAnswer(p, "http://"+loopback(r.ports.Rampart)+"/")
}

// startNginx writes nginx's configuration into its own directory and starts nginx in the
// foreground with that prefix: /etc/nginx and its default site are never read or touched.
func (r *runner) startNginx() (*benchproc.Process, error) {
	s := r.nginx
	s.Dir = filepath.Join(r.workDir, "nginx")
	s.Listen = loopback(r.ports.Nginx)
	s.Backend = loopback(r.ports.Backend)
	// 0755: nginx's workers run unprivileged and create their temp directories here.
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", s.Dir, err)
	}
	if err := os.Chmod(r.workDir, 0o755); err != nil {
		return nil, fmt.Errorf("open %s to nginx workers: %w", r.workDir, err)
	}
	confPath, err := writeNginxConfig(s)
	if err != nil {
		return nil, err
	}
	p, err := r.procs.Start("nginx", filepath.Join(s.Dir, "nginx.out"), r.nginxBin, "-p", s.Dir, "-c", confPath, "-e", filepath.Join(s.Dir, "error.log"))
	if err != nil {
		return nil, err
	}
	if err := waitAnswer(p, "http://"+s.Listen+"/"); err != nil {
		return p, fmt.Errorf("%w (and %s)", err, filepath.Join(s.Dir, "error.log"))
	}
	return p, nil
}

// waitAnswer waits until the server p answers url at all (the WAF's rules may refuse
// the request itself), with the Host every benchmark request carries.
func waitAnswer(p *benchproc.Process, url string) error {
	return p.WaitReady("an answer on "+url, readyTimeout, benchproc.HTTPAnswers(url, benchHost))
}
