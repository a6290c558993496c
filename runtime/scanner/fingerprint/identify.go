package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// Bounds of one probe's read: an answer is read until it is recognised and complete, the
// server closes, it goes quiet for idleGap after its first byte, or maxAnswer bytes came.
const (
	idleGap   = 400 * time.Millisecond
	maxAnswer = 32 << 10
	// grace is how long a first match waits for a higher-ranked probe still in flight
	// (an HTTPS port answers the plain HTTP probe with "400" before the TLS probe returns).
	grace = 250 * time.Millisecond
	// bannerWindow caps the first phase (NULL probe and the port's likely probes).
	bannerWindow = 750 * time.Millisecond
)

// probeResult is one probe's outcome.
type probeResult struct {
	probe   probe
	svc     Service
	rank    int
	matched bool
	answer  []byte // what came back (for an unrecognised banner)
	err     error  // the dial error, if any
}

func identify(ctx context.Context, host netip.Addr, port int, opts Options) (Service, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Dial == nil {
		var d net.Dialer
		opts.Dial = d.DialContext
	}
	addr := net.JoinHostPort(host.String(), strconv.Itoa(port))
	serverName := opts.ServerName
	if serverName == "" {
		serverName = host.String()
	}
	start := time.Now()
	first, rest := probePhases(port, opts.UserProbes)

	// Phase 1: listen for a banner and ask the likely probes. It is short because a banner
	// that comes later is still seen: every probe's answer goes through every recogniser.
	best, results := runPhase(ctx, addr, serverName, first, opts, start.Add(min(opts.Timeout/3, bannerWindow)))
	if !best.matched {
		if dialFailed(results) {
			return Service{Port: port}, fmt.Errorf("identify %s: %w", addr, results[0].err)
		}
		// Phase 2: every other probe, in parallel, for what is left of the budget.
		var more []probeResult
		best, more = runPhase(ctx, addr, serverName, rest, opts, start.Add(opts.Timeout))
		results = append(results, more...)
	}
	svc := best.svc
	if !best.matched {
		svc = Service{Banner: firstBanner(results)}
	}
	svc.Port = port
	if svc.Evidence == nil {
		svc.Evidence = map[string]string{}
	}
	if best.matched {
		svc.Evidence["probe"] = best.probe.name
	}
	// Follow-ups get their own budget: TLS enumeration and API questions are what make
	// the answer worth having, and they only run on ports that answered.
	followCtx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	switch svc.Name {
	case "tls":
		identifyOverTLS(followCtx, addr, serverName, opts, &svc)
	case "http":
		followUpHTTP(followCtx, "http", addr, opts, &svc)
	}
	return svc, nil
}

// runPhase runs probes in parallel until one matches (plus grace for better-ranked ones),
// all have finished, or deadline passes. It returns the best result and all results.
func runPhase(ctx context.Context, addr, serverName string, probes []probe, opts Options, deadline time.Time) (probeResult, []probeResult) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	out := make(chan probeResult, len(probes))
	for _, p := range probes {
		go func() { out <- runProbe(ctx, addr, serverName, p, opts) }()
	}
	var best probeResult
	var results []probeResult
	var graceTimer <-chan time.Time
collect:
	for range probes {
		select {
		case r := <-out:
			results = append(results, r)
			if r.matched && (!best.matched || r.rank > best.rank) {
				best = r
				if best.rank >= rankProtocol {
					break collect // nothing outranks a protocol's own answer on this port
				}
				if graceTimer == nil {
					graceTimer = time.After(grace)
				}
			}
		case <-graceTimer:
			break collect
		case <-ctx.Done():
			break collect
		}
	}
	cancel() // stop the probes still waiting; their results are dropped (channel is buffered)
	return best, results
}

// runProbe sends one probe on its own connection and reads the answer.
func runProbe(ctx context.Context, addr, serverName string, p probe, opts Options) probeResult {
	r := probeResult{probe: p}
	conn, err := opts.Dial(ctx, "tcp", addr)
	if err != nil {
		r.err = err
		return r
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if p.payload != nil {
		if _, err := conn.Write(p.payload(serverName)); err != nil {
			return r // a port that closes on our bytes tells us nothing
		}
	}
	r.answer = readAnswer(conn, deadline, func(data []byte) bool {
		r.svc, r.rank, r.matched = recognise(p, data, opts.UserProbes)
		return r.matched && !wantMore(r.svc, data)
	})
	if r.matched && r.svc.Name == "postgresql" && r.svc.Evidence["auth"] == "none" {
		_, _ = conn.Write(postgresTerminate) // we logged in; leave the way a client would
	}
	if r.matched && r.svc.Name == "ssh" {
		_, afterBanner, _ := splitSSHBanner(r.answer)
		readKexInit(conn, deadline, afterBanner, &r.svc)
	}
	return r
}

// readAnswer reads until done says the answer is enough, the peer closes, the answer goes
// quiet for idleGap, or maxAnswer bytes came.
func readAnswer(conn net.Conn, deadline time.Time, done func([]byte) bool) []byte {
	buf := make([]byte, 0, 4096)
	chunk := make([]byte, 4096)
	for len(buf) < maxAnswer {
		if len(buf) > 0 {
			_ = conn.SetReadDeadline(earliest(deadline, time.Now().Add(idleGap)))
		}
		n, err := conn.Read(chunk)
		if n > 0 {
			buf = append(buf, chunk[:n]...)
			if done(buf) {
				return buf
			}
		}
		if err != nil {
			return buf
		}
	}
	return buf
}

// readKexInit sends our identification and reads the server's KEXINIT algorithm lists.
// Servers that send KEXINIT without waiting for us may have put it in the banner's read
// (alreadyRead).
func readKexInit(conn net.Conn, deadline time.Time, alreadyRead []byte, svc *Service) {
	_ = conn.SetDeadline(deadline)
	if _, err := conn.Write([]byte(sshClientBanner)); err != nil {
		return
	}
	packet := alreadyRead
	if !sshPacketComplete(packet) {
		more := readAnswer(conn, deadline, func(b []byte) bool {
			return sshPacketComplete(append(alreadyRead[:len(alreadyRead):len(alreadyRead)], b...))
		})
		packet = append(packet[:len(packet):len(packet)], more...)
	}
	if info, err := ParseKexInit(packet); err == nil {
		info.ProtocolBanner = svc.Banner
		svc.SSH = info
	}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// dialFailed: every probe of the first phase failed to connect (port closed or gone).
func dialFailed(results []probeResult) bool {
	if len(results) == 0 {
		return false
	}
	for _, r := range results {
		if r.err == nil {
			return false
		}
		var opErr *net.OpError
		if !errors.As(r.err, &opErr) {
			return false
		}
	}
	return true
}

// firstBanner is the NULL probe's answer, else any answer, for an unnamed service.
func firstBanner(results []probeResult) string {
	for _, r := range results {
		if r.probe.payload == nil && len(r.answer) > 0 {
			return printable(r.answer)
		}
	}
	for _, r := range results {
		if len(r.answer) > 0 {
			return printable(r.answer)
		}
	}
	return ""
}
