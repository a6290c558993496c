package upstream

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// Health check defaults, for fields the configuration leaves unset.
const (
	DefaultHealthCheckPath     = "/"
	DefaultHealthCheckInterval = 10 * time.Second
	DefaultHealthCheckTimeout  = 2 * time.Second
)

// HealthCheck is a parsed active L7 health check.
type HealthCheck struct {
	Path     string
	Interval time.Duration
	Timeout  time.Duration
	// ExpectStatus is the status a healthy member answers; 0 accepts any 2xx or 3xx.
	ExpectStatus int
}

// ParseHealthCheck applies defaults and parses durations.
func ParseHealthCheck(c *config.HealthCheck) (HealthCheck, error) {
	hc := HealthCheck{
		Path:         c.Path,
		Interval:     DefaultHealthCheckInterval,
		Timeout:      DefaultHealthCheckTimeout,
		ExpectStatus: c.ExpectStatus,
	}
	if hc.Path == "" {
		hc.Path = DefaultHealthCheckPath
	}
	var err error
	if c.Interval != "" {
		if hc.Interval, err = time.ParseDuration(c.Interval); err != nil || hc.Interval <= 0 {
			return hc, fmt.Errorf("health_check.interval %q is not a positive duration such as 5s", c.Interval)
		}
	}
	if c.Timeout != "" {
		if hc.Timeout, err = time.ParseDuration(c.Timeout); err != nil || hc.Timeout <= 0 {
			return hc, fmt.Errorf("health_check.timeout %q is not a positive duration such as 2s", c.Timeout)
		}
	}
	// A check must finish before the next one starts.
	hc.Timeout = min(hc.Timeout, hc.Interval)
	return hc, nil
}

func (hc *HealthCheck) healthy(status int) bool {
	if hc.ExpectStatus != 0 {
		return status == hc.ExpectStatus
	}
	return status >= 200 && status < 400
}

// StartHealthChecks checks every member now and then at each interval, until the returned
// stop function is called (stop waits for the checker to finish). Without a configured
// health check it does nothing and members stay up.
func (p *Pool) StartHealthChecks(transport http.RoundTripper, logger *slog.Logger) (stop func()) {
	if p.healthCheck == nil || len(p.Members) == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	client := &http.Client{
		Transport: transport,
		// A redirect is an answer: judge its status, don't follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	go func() {
		defer close(done)
		ticker := time.NewTicker(p.healthCheck.Interval)
		defer ticker.Stop()
		for {
			p.checkAll(ctx, client, logger)
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// checkAll checks all members in parallel, so one slow member does not delay the others.
func (p *Pool) checkAll(ctx context.Context, client *http.Client, logger *slog.Logger) {
	var wg sync.WaitGroup
	for _, m := range p.Members {
		wg.Go(func() {
			err := p.check(ctx, client, m)
			if ctx.Err() != nil {
				return // stopping: the result means nothing
			}
			up := err == nil
			if m.up.Swap(up) != up {
				attrs := []any{slog.String("pool", p.Name), slog.String("member", m.Address)}
				if up {
					logger.Info("pool member up", attrs...)
				} else {
					logger.Warn("pool member down", append(attrs, slog.String("reason", err.Error()))...)
				}
			}
		})
	}
	wg.Wait()
}

func (p *Pool) check(ctx context.Context, client *http.Client, m *Member) error {
	ctx, cancel := context.WithTimeout(ctx, p.healthCheck.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+m.Address+p.healthCheck.Path, nil)
	if err != nil {
		return fmt.Errorf("build health check request: %w", err)
	}
	req.Header.Set("User-Agent", "rampart-waf-healthcheck")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	// Drain a little so the connection can be reused; never read an unbounded body.
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
	if !p.healthCheck.healthy(resp.StatusCode) {
		return fmt.Errorf("health check answered status %d", resp.StatusCode)
	}
	return nil
}
