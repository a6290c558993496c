package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/config"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
)

// jobBoard runs the jobs of the current configuration on their schedules and remembers
// what each did, for /status and /metrics.
type jobBoard struct {
	server *Server

	mu        sync.Mutex
	cancel    context.CancelFunc // stops the schedule loops of the current configuration
	loops     sync.WaitGroup
	running   map[string]*sync.Mutex // one run per job name at a time, across reloads
	state     map[string]*jobState
	oneShotOK map[string]string // job name → definition hash of the one-shot run done
}

// jobState is what /status shows of one job.
type jobState struct {
	Name     string           `json:"name"`
	Profile  string           `json:"profile"`
	Schedule string           `json:"schedule"`
	Running  bool             `json:"running"`
	NextRun  *time.Time       `json:"next_run,omitempty"`
	Runs     uint64           `json:"runs"`
	Failures uint64           `json:"failures"`
	Last     *results.Summary `json:"last_run,omitempty"`
	LastErr  string           `json:"last_error,omitempty"`
}

func newJobBoard(s *Server) *jobBoard {
	return &jobBoard{server: s, running: map[string]*sync.Mutex{}, state: map[string]*jobState{}, oneShotOK: map[string]string{}}
}

// schedule replaces the schedule loops with those of lc's jobs. Called under reloadMu.
func (b *jobBoard) schedule(lc *loadedConfig) {
	b.stop()
	ctx, cancel := context.WithCancel(b.server.lifetime)
	jobs := lc.cfg.AllJobs()
	b.mu.Lock()
	b.cancel = cancel
	keep := map[string]*jobState{}
	for _, job := range jobs {
		st := b.state[job.Name]
		if st == nil {
			st = &jobState{Name: job.Name}
			if last, err := b.store(lc).Latest(job.Name); err == nil && last != nil {
				st.Last = last // the previous process's last run, for status after a restart
			}
		}
		st.Profile, st.Schedule = job.Profile, scheduleText(job)
		keep[job.Name] = st
		if b.running[job.Name] == nil {
			b.running[job.Name] = &sync.Mutex{}
		}
	}
	b.state = keep
	b.mu.Unlock()
	for _, job := range jobs {
		b.loops.Add(1)
		go b.loop(ctx, lc, job)
	}
}

// stop ends the schedule loops; scans already running finish (or end with the lifetime).
func (b *jobBoard) stop() {
	b.mu.Lock()
	cancel := b.cancel
	b.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// wait waits for the loops (and so the scans) to end, until ctx ends.
func (b *jobBoard) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { b.loops.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func scheduleText(job config.Job) string {
	switch {
	case job.Cron != "":
		return "cron " + job.Cron
	case job.Interval != "":
		return "every " + job.Interval
	}
	return "once at start"
}

func definitionHash(job config.Job) string {
	data, _ := json.Marshal(job)
	sum := sha256.Sum256(data)
	return string(sum[:])
}

// loop runs job now (one-shot and interval jobs) or at its next cron time, until ctx ends.
func (b *jobBoard) loop(ctx context.Context, lc *loadedConfig, job config.Job) {
	defer b.loops.Done()
	if job.Interval == "" && job.Cron == "" {
		b.mu.Lock()
		done := b.oneShotOK[job.Name] == definitionHash(job)
		b.mu.Unlock()
		if !done {
			b.run(ctx, lc, job)
			b.mu.Lock()
			b.oneShotOK[job.Name] = definitionHash(job)
			b.mu.Unlock()
		}
		return
	}
	interval, _ := time.ParseDuration(job.Interval)
	cron, _ := config.ParseCron(job.Cron)
	next := time.Now() // interval jobs run at start, then every interval
	if job.Cron != "" {
		next = cron.Next(time.Now())
	}
	for {
		b.setNext(job.Name, next)
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		b.run(ctx, lc, job)
		if job.Cron != "" {
			next = cron.Next(time.Now())
		} else {
			next = time.Now().Add(interval)
		}
	}
}

func (b *jobBoard) setNext(name string, next time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if st := b.state[name]; st != nil {
		st.NextRun = &next
	}
}

func (b *jobBoard) store(lc *loadedConfig) *results.Store {
	return &results.Store{Dir: lc.cfg.DataDir}
}

// run scans job once and saves the result. A schedule loop cancelled by a reload still
// lets its scan finish: the scan runs with the server's lifetime, not the loop's.
func (b *jobBoard) run(ctx context.Context, lc *loadedConfig, job config.Job) {
	b.mu.Lock()
	lock := b.running[job.Name]
	b.mu.Unlock()
	lock.Lock()
	defer lock.Unlock()
	if ctx.Err() != nil {
		return
	}
	b.update(job.Name, func(st *jobState) { st.Running, st.NextRun = true, nil })
	logger := b.server.logger.With(slog.String("job", job.Name))
	logger.Info("scan started", slog.Any("targets", job.Targets), slog.String("ports", job.Ports), slog.String("profile", job.Profile))
	sum, findings := RunJob(b.server.lifetime, b.server.engine, lc.cfg, job, lc.userProbes)
	saved, err := b.store(lc).Save(sum, findings)
	if err != nil {
		saved.Error = joinErr(saved.Error, "save results: "+err.Error())
	}
	b.update(job.Name, func(st *jobState) {
		st.Running = false
		st.Runs++
		st.Last = &saved
		st.LastErr = saved.Error
		if saved.Error != "" {
			st.Failures++
		}
	})
	attrs := []any{
		slog.String("run_id", saved.RunID), slog.Int("hosts_up", saved.HostsUp), slog.Int("hosts", saved.HostsScanned),
		slog.Int("open_ports", saved.OpenPorts), slog.Int("findings", saved.Findings),
		slog.Int("new", len(saved.Diff.New)), slog.Int("fixed", len(saved.Diff.Fixed)),
		slog.Duration("duration", saved.FinishedAt.Sub(saved.StartedAt)),
	}
	if saved.Error != "" {
		logger.Error("scan failed", append(attrs, slog.String("error", saved.Error))...)
		return
	}
	logger.Info("scan finished", attrs...)
}

func (b *jobBoard) update(name string, change func(*jobState)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if st := b.state[name]; st != nil {
		change(st)
	}
}

// snapshot copies the job states for status and metrics.
func (b *jobBoard) snapshot() []jobState {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]jobState, 0, len(b.state))
	for _, st := range b.state {
		out = append(out, *st)
	}
	return out
}

func joinErr(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
