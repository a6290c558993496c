package findings

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
)

// Remediator runs the remediation hook for findings that qualify: a command executed
// directly (no shell, so nothing in a finding can be interpreted as shell syntax) with the
// finding's JSON on stdin, and/or a webhook POST; each bounded by the timeout.
type Remediator struct {
	command     []string
	webhook     *Webhook
	types       []string
	minSeverity int
	timeout     time.Duration
}

// NewRemediator builds the hook from its settings.
func NewRemediator(c *config.Remediation) *Remediator {
	r := &Remediator{
		command: c.Command, types: c.Types, minSeverity: c.MinSeverity,
		timeout: config.DurationOr(c.Timeout, 30*time.Second),
	}
	if c.WebhookURL != "" {
		r.webhook = newPoster(c.WebhookURL, "", r.timeout, 1)
	}
	return r
}

// Applies reports whether f qualifies for remediation.
func (r *Remediator) Applies(f *Finding) bool {
	return f.Severity >= r.minSeverity && (len(r.types) == 0 || slices.Contains(r.types, f.Type))
}

// Run acts on f when it qualifies.
func (r *Remediator) Run(ctx context.Context, f *Finding) error {
	if !r.Applies(f) {
		return nil
	}
	body, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode finding: %w", err)
	}
	var errs []error
	if len(r.command) > 0 {
		if err := r.runCommand(ctx, body); err != nil {
			errs = append(errs, err)
		}
	}
	if r.webhook != nil {
		if err := r.webhook.post(ctx, body); err != nil {
			errs = append(errs, fmt.Errorf("remediation %w", err))
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

func (r *Remediator) runCommand(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.command[0], r.command[1:]...)
	cmd.Stdin = bytes.NewReader(body)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("remediation command %s: timed out after %s", r.command[0], r.timeout)
		}
		tail := out.Bytes()
		if len(tail) > 512 {
			tail = tail[len(tail)-512:]
		}
		return fmt.Errorf("remediation command %s: %w: %s", r.command[0], err, bytes.TrimSpace(tail))
	}
	return nil
}
