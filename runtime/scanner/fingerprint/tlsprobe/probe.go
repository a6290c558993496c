// Package tlsprobe learns how a port speaks TLS: which protocol versions and cipher suites it
// accepts and which certificate it shows. It sends hand-built ClientHellos (clienthello.go)
// and reads only the server's first flight, so it can ask about SSLv3 and weak suites that
// crypto/tls refuses to offer, and never completes a handshake it does not need.
package tlsprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Options bounds one Probe.
type Options struct {
	// Dial opens connections; nil means a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout is the total budget for all versions and suites; 0 means DefaultTimeout.
	Timeout time.Duration
	// ServerName is sent as SNI.
	ServerName string
	// SkipCiphers learns versions and certificate only (one connection per version).
	SkipCiphers bool
}

// DefaultTimeout bounds one Probe when Options.Timeout is 0.
const DefaultTimeout = 5 * time.Second

// Info is the TLS fingerprint of one port.
type Info struct {
	// Versions accepted, oldest first: "SSLv3", "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3".
	Versions []string `json:"versions"`
	// CipherSuites accepted per version name, in the server's order of choice.
	CipherSuites map[string][]string `json:"cipher_suites,omitempty"`
	Certificate  *Certificate        `json:"certificate,omitempty"`
}

// versionsProbed are tried oldest first.
var versionsProbed = []uint16{VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13}

// Probe fingerprints TLS at addr ("host:port"). It returns an error only when no version
// was accepted (the port does not speak TLS, or accepts nothing we offered).
func Probe(ctx context.Context, addr string, opts Options) (*Info, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Dial == nil {
		var d net.Dialer
		opts.Dial = d.DialContext
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	type versionResult struct {
		suites []string
		certs  [][]byte
	}
	results := make([]versionResult, len(versionsProbed))
	var wg sync.WaitGroup
	for i, v := range versionsProbed {
		wg.Go(func() {
			results[i].suites, results[i].certs = probeVersion(ctx, addr, v, opts)
		})
	}
	wg.Wait()

	info := &Info{CipherSuites: map[string][]string{}}
	var certs [][]byte
	for i, v := range versionsProbed {
		if len(results[i].suites) == 0 {
			continue
		}
		info.Versions = append(info.Versions, VersionName(v))
		if !opts.SkipCiphers {
			info.CipherSuites[VersionName(v)] = results[i].suites
		}
		if len(results[i].certs) > 0 {
			certs = results[i].certs // the newest version's chain wins
		}
	}
	if len(info.Versions) == 0 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("tls probe %s: no answer within %s", addr, opts.Timeout)
		}
		return nil, fmt.Errorf("tls probe %s: no protocol version accepted", addr)
	}
	if len(certs) == 0 { // TLS 1.3 only: the certificate is encrypted, so finish a real handshake
		certs = certificatesByHandshake(ctx, addr, opts)
	}
	if len(certs) > 0 {
		info.Certificate = ParseCertificate(certs[0])
	}
	return info, nil
}

// probeVersion offers version v with every suite we know, then again without each suite the
// server picked, until it refuses: the accepted suites in the server's order of choice.
func probeVersion(ctx context.Context, addr string, v uint16, opts Options) (accepted []string, certs [][]byte) {
	candidates := suiteIDs(suitesLegacy)
	if v == VersionTLS13 {
		candidates = suiteIDs(suitesTLS13)
	}
	for len(candidates) > 0 && ctx.Err() == nil {
		flight, err := Exchange(ctx, addr, HelloSpec{Version: v, Suites: candidates, ServerName: opts.ServerName}, opts.Dial)
		if err != nil || flight.Hello == nil || flight.Hello.Version != v {
			return accepted, certs
		}
		if certs == nil {
			certs = flight.Certificates
		}
		picked := flight.Hello.CipherSuite
		accepted = append(accepted, SuiteName(picked))
		if opts.SkipCiphers {
			return accepted, certs
		}
		next := candidates[:0:0]
		for _, id := range candidates {
			if id != picked {
				next = append(next, id)
			}
		}
		if len(next) == len(candidates) {
			return accepted, certs // the server picked a suite we did not offer: stop
		}
		candidates = next
	}
	return accepted, certs
}

// Exchange sends one ClientHello and reads the server's first flight until it is complete,
// the server closes, or ctx ends.
func Exchange(ctx context.Context, addr string, spec HelloSpec, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (Flight, error) {
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return Flight{}, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := conn.Write(BuildClientHello(spec)); err != nil {
		return Flight{}, err
	}
	return ReadFlight(conn)
}

// ReadFlight reads TLS records from r until the flight is complete (see Flight.Done).
func ReadFlight(r io.Reader) (Flight, error) {
	buf := make([]byte, 0, 8192)
	chunk := make([]byte, 8192)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		flight, perr := ParseFlight(buf)
		if perr != nil {
			return flight, perr
		}
		if flight.Done {
			return flight, nil
		}
		if err != nil {
			if flight.Hello != nil {
				return flight, nil
			}
			return flight, err
		}
		if len(buf) > maxFlight {
			return flight, errors.New("server flight too large")
		}
	}
}

// certificatesByHandshake completes a real TLS 1.3 handshake (without verifying anything)
// to read the certificate chain, which TLS 1.3 encrypts.
func certificatesByHandshake(ctx context.Context, addr string, opts Options) [][]byte {
	raw, err := opts.Dial(ctx, "tcp", addr)
	if err != nil {
		return nil
	}
	defer raw.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(deadline)
	}
	conn := tls.Client(raw, &tls.Config{
		InsecureSkipVerify: true, // we report on the certificate; we do not trust it
		ServerName:         opts.ServerName,
		MinVersion:         tls.VersionTLS12,
	})
	if err := conn.HandshakeContext(ctx); err != nil {
		return nil
	}
	var certs [][]byte
	for _, c := range conn.ConnectionState().PeerCertificates {
		certs = append(certs, c.Raw)
	}
	return certs
}
