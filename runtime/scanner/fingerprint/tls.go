package fingerprint

import (
	"context"
	"crypto/tls"
	"net"

	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint/tlsprobe"
)

// identifyOverTLS fingerprints the TLS layer of a port and then names what it carries: a
// banner (IMAPS, POP3S, SMTPS, FTPS) or HTTP (HTTPS, Kubernetes, Docker over TLS).
func identifyOverTLS(ctx context.Context, addr, serverName string, opts Options, svc *Service) {
	info, err := tlsprobe.Probe(ctx, addr, tlsprobe.Options{
		Dial: opts.Dial, Timeout: opts.Timeout / 2, ServerName: serverName, SkipCiphers: opts.SkipCipherSuites,
	})
	if err == nil {
		svc.TLS = info
	} else {
		svc.Evidence["tls_error"] = err.Error()
	}

	// One HTTP request inside TLS names both kinds of service: greet-first protocols (IMAPS,
	// POP3S, SMTPS, FTPS) send their greeting before reading our request, and it is recognised
	// like any banner.
	innerSvc, matched := probeOverTLS(ctx, addr, serverName, probe{name: "http", payload: httpGet}, opts)
	if !matched {
		return
	}
	port, tlsInfo, evidence := svc.Port, svc.TLS, svc.Evidence
	*svc = innerSvc
	svc.Port, svc.TLS = port, tlsInfo
	if svc.Evidence == nil {
		svc.Evidence = map[string]string{}
	}
	for k, v := range evidence {
		svc.Evidence[k] = v
	}
	if svc.Name == "http" {
		followUpHTTP(ctx, "https", addr, opts, svc)
	}
	svc.Name = serviceOverTLS(svc.Name)
}

// probeOverTLS runs one probe inside a TLS session.
func probeOverTLS(ctx context.Context, addr, serverName string, p probe, opts Options) (Service, bool) {
	raw, err := opts.Dial(ctx, "tcp", addr)
	if err != nil {
		return Service{}, false
	}
	defer raw.Close()
	deadline, _ := ctx.Deadline()
	_ = raw.SetDeadline(deadline)
	conn := tls.Client(raw, insecureTLSConfig(serverName))
	if err := conn.HandshakeContext(ctx); err != nil {
		return Service{}, false
	}
	if _, err := conn.Write(p.payload(serverName)); err != nil {
		return Service{}, false
	}
	var svc Service
	var matched bool
	readAnswer(conn, deadline, func(data []byte) bool {
		svc, _, matched = recognise(p, data, opts.UserProbes)
		return matched && !wantMore(svc, data)
	})
	return svc, matched
}

// insecureTLSConfig is for looking, not trusting: the scanner reports on certificates and
// never sends secrets, so it accepts any certificate and the oldest versions.
func insecureTLSConfig(serverName string) *tls.Config {
	if net.ParseIP(serverName) != nil {
		serverName = ""
	}
	return &tls.Config{
		InsecureSkipVerify: true, // #nosec: the scanner fingerprints certificates, it does not trust them
		ServerName:         serverName,
		MinVersion:         tls.VersionTLS10,
	}
}
