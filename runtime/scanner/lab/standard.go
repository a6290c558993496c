package lab

import (
	"context"
	"fmt"
)

// Names of the hosts of the standard lab.
const (
	HostWeak     = "weak"     // sshd, nginx (TLS 1.0, expiring self-signed cert, listing), redis without password
	HostHardened = "hardened" // the same services without those weaknesses
	HostDB       = "db"       // postgresql, and a port that never sends a banner
	HostFiltered = "filtered" // nginx on 80 and 8080; 81-83 closed; every other TCP port dropped
	HostClosed   = "closed"   // nothing listens: every port resets
)

// SilentPort is the db host's port that accepts and never speaks.
const SilentPort = 9999

// BuildStandard adds the five hosts above to l and starts their services.
func BuildStandard(ctx context.Context, l *Lab) error {
	steps := []struct {
		host  string
		start func(h *Host) error
	}{
		{HostWeak, func(h *Host) error {
			return firstErr(h.StartSSH(ctx, Weak), h.StartNginx(ctx, Weak), h.StartRedis(ctx, ""))
		}},
		{HostHardened, func(h *Host) error {
			return firstErr(h.StartSSH(ctx, Hardened), h.StartNginx(ctx, Hardened), h.StartRedis(ctx, "lab-Redis-pass-7f3a"))
		}},
		{HostDB, func(h *Host) error {
			return firstErr(h.StartPostgres(ctx), h.StartSilent(ctx, SilentPort))
		}},
		{HostFiltered, func(h *Host) error {
			return firstErr(h.DropTCPExcept(ctx, 80, 81, 82, 83, 8080), h.StartPlainHTTP(ctx, 80, 8080))
		}},
		{HostClosed, func(h *Host) error { return nil }},
	}
	for _, s := range steps {
		h, err := l.AddHost(ctx, s.host)
		if err != nil {
			return err
		}
		if err := s.start(h); err != nil {
			return fmt.Errorf("lab host %s: %w", s.host, err)
		}
	}
	return nil
}

// firstErr returns the first error. The calls are evaluated in order before it runs, so a
// later service starts even when an earlier one failed; the lab's Close stops all of them.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
