package fingerprint

import (
	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint/tlsprobe"
)

// Ranks decide between probes that both named the service: TLS wraps everything, a
// protocol-specific answer beats a generic HTTP or banner match, and the user's own
// probes come last (they are regular expressions over whatever came back).
const (
	rankUser     = 10
	rankHTTP     = 20
	rankBanner   = 30
	rankProtocol = 40
	rankTLS      = 50
)

// recognise names the service from one probe's answer. ok is false when nothing matched.
func recognise(p probe, data []byte, user *ProbesFile) (svc Service, rank int, ok bool) {
	if len(data) == 0 {
		return svc, 0, false
	}
	if p.name == "tls" && tlsprobe.LooksLikeTLS(data) {
		return Service{Name: "tls"}, rankTLS, true
	}
	if banner, _, found := splitSSHBanner(data); found {
		if product, version, ok := ParseSSHBanner(banner); ok {
			return Service{Name: "ssh", Product: product, Version: version, Banner: banner}, rankProtocol, true
		}
	}
	switch p.name {
	case "redis":
		if r, ok := ParseRedisReply(data); ok {
			svc = Service{Name: "redis", Product: r.Product, Version: r.Version, Evidence: map[string]string{}}
			svc.Evidence["auth"] = "none"
			if r.AuthRequired {
				svc.Evidence["auth"] = "required"
				svc.Banner = r.Error
			}
			return svc, rankProtocol, true
		}
	case "postgres":
		if r, ok := ParsePostgresReply(data); ok {
			svc = Service{Name: "postgresql", Product: "PostgreSQL", Version: r.Version, Evidence: map[string]string{}}
			switch {
			case r.Auth != "":
				svc.Evidence["auth"] = r.Auth
			case r.Error != "":
				svc.Evidence["error"] = r.Code + " " + r.Error
			}
			return svc, rankProtocol, true
		}
	case "mongodb":
		if r, ok := ParseMongoReply(data); ok {
			svc = Service{Name: "mongodb", Product: "MongoDB", Version: r.Version}
			if r.Error != "" {
				svc.Evidence = map[string]string{"error": r.Error}
			}
			return svc, rankProtocol, true
		}
	case "dns":
		if r, ok := ParseDNSVersionReply(data); ok {
			svc = Service{Name: "dns"}
			svc.Product, svc.Version = dnsProduct(r.Version)
			if r.Version != "" {
				svc.Banner = r.Version
			}
			return svc, rankProtocol, true
		}
	case "rdp":
		if r, ok := ParseRDPReply(data); ok {
			return Service{Name: "rdp", Product: "Microsoft Terminal Services", Evidence: map[string]string{"security": r.Security}}, rankProtocol, true
		}
	case "smb":
		if r, ok := ParseSMBReply(data); ok {
			svc = Service{Name: "smb", Version: r.Dialect, Evidence: map[string]string{"dialect": r.Dialect}}
			if r.SigningRequired {
				svc.Evidence["signing"] = "required"
			} else {
				svc.Evidence["signing"] = "not required"
			}
			return svc, rankProtocol, true
		}
	}
	if g, ok := ParseMySQLGreeting(data); ok {
		return Service{Name: "mysql", Product: g.Product, Version: g.Version, Banner: g.Refusal}, rankProtocol, true
	}
	if info, err := ParseHTTPResponse(data); err == nil {
		svc = Service{Name: "http", HTTP: info, Banner: firstLine(data)}
		svc.Product, svc.Version = ProductFromServerHeader(info.Headers["Server"])
		if p.name != "http" {
			return svc, rankHTTP - 1, true // a web server's complaint about another probe's bytes
		}
		return svc, rankHTTP, true
	}
	text := string(data)
	if service, product, version, ok := MatchBanner(text); ok {
		return Service{Name: service, Product: product, Version: version, Banner: printable([]byte(firstLine(data)))}, rankBanner, true
	}
	if user != nil {
		up := p.user
		if p.payload == nil {
			up = user.nullProbe()
		}
		if up != nil {
			if m, ok := up.Match(data); ok {
				return Service{Name: m.Service, Product: m.Product, Version: m.Version, Banner: printable(data),
					Evidence: map[string]string{"matched_by": "service_probes_file"}}, rankUser, true
			}
		}
	}
	return svc, 0, false
}

// wantMore says whether a recognised answer is still incomplete and worth reading on.
func wantMore(svc Service, data []byte) bool {
	switch svc.Name {
	case "http":
		return !httpComplete(data)
	case "redis":
		return !redisComplete(data)
	case "postgresql":
		return !postgresComplete(data)
	case "ssh":
		return false // KEXINIT is read separately, after we send our banner
	}
	return false
}

// serviceOverTLS names what a TLS port carries: "https", "imaps", ...
func serviceOverTLS(inner string) string {
	switch inner {
	case "http", "imap", "pop3", "smtp", "ftp", "ldap":
		return inner + "s"
	case "":
		return "tls"
	}
	return inner // kubernetes, docker, ... say nothing about TLS in their names
}
