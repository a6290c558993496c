package main

import "sync"

// processes is every process this harness started and has not stopped yet, so that an
// error or an interrupt stops exactly those, by PID, and nothing else.
type processes struct {
	mu      sync.Mutex
	running []*process
}

func (ps *processes) start(name, logPath, bin string, args ...string) (*process, error) {
	p, err := startProcess(name, logPath, bin, args...)
	if err != nil {
		return nil, err
	}
	ps.mu.Lock()
	ps.running = append(ps.running, p)
	ps.mu.Unlock()
	return p, nil
}

// stop stops p (if it still runs) and forgets it.
func (ps *processes) stop(p *process) {
	ps.mu.Lock()
	for i, q := range ps.running {
		if q == p {
			ps.running = append(ps.running[:i], ps.running[i+1:]...)
			break
		}
	}
	ps.mu.Unlock()
	p.stop()
}

// stopAll stops every process still running, the most recently started first.
func (ps *processes) stopAll() {
	ps.mu.Lock()
	running := ps.running
	ps.running = nil
	ps.mu.Unlock()
	for i := len(running) - 1; i >= 0; i-- {
		running[i].stop()
	}
}
