package fingerprint

import (
	"regexp"
	"strings"
)

// bannerRule recognises a text banner. Rules are tried in order; the first whose pattern
// matches names the service. Product is fixed, or taken from a capture group named "product";
// a group named "version" gives the version. This table is ours (see the package comment).
type bannerRule struct {
	service string
	pattern *regexp.Regexp
	product string
}

var bannerRules = []bannerRule{
	// FTP
	{"ftp", regexp.MustCompile(`^220[ -].*\(vsFTPd (?P<version>[\d.]+)\)`), "vsftpd"},
	{"ftp", regexp.MustCompile(`^500 OOPS: vsftpd`), "vsftpd"},
	{"ftp", regexp.MustCompile(`^220[ -].*ProFTPD (?P<version>[\d.]+[a-z]?)`), "ProFTPD"},
	{"ftp", regexp.MustCompile(`^220[ -].*Pure-FTPd`), "Pure-FTPd"},
	{"ftp", regexp.MustCompile(`^220[ -]FileZilla Server (?:version )?(?P<version>[\d.]+)`), "FileZilla Server"},
	{"ftp", regexp.MustCompile(`^220[ -]Microsoft FTP Service`), "Microsoft ftpd"},
	// SMTP
	{"smtp", regexp.MustCompile(`^220[ -]\S+ ESMTP Postfix`), "Postfix"},
	{"smtp", regexp.MustCompile(`^220[ -]\S+ ESMTP Exim (?P<version>[\d.]+)`), "Exim"},
	{"smtp", regexp.MustCompile(`^220[ -]\S+ ESMTP Sendmail (?P<version>[\d.]+)`), "Sendmail"},
	{"smtp", regexp.MustCompile(`^220[ -]\S+ ESMTP OpenSMTPD`), "OpenSMTPD"},
	{"smtp", regexp.MustCompile(`^220[ -]\S+ Microsoft ESMTP MAIL Service`), "Microsoft Exchange smtpd"},
	{"smtp", regexp.MustCompile(`^220[ -].*\bE?SMTP\b`), ""},
	{"ftp", regexp.MustCompile(`^220[ -].*\bFTP\b`), ""},
	// POP3 and IMAP
	{"pop3", regexp.MustCompile(`^\+OK (?:\[.*\] )?Dovecot`), "Dovecot pop3d"},
	{"pop3", regexp.MustCompile(`^\+OK .*POP3`), ""},
	{"imap", regexp.MustCompile(`^\* OK .*Dovecot`), "Dovecot imapd"},
	{"imap", regexp.MustCompile(`^\* OK .*Cyrus IMAP v?(?P<version>[\d.]+)`), "Cyrus imapd"},
	{"imap", regexp.MustCompile(`^\* OK .*Courier-IMAP`), "Courier imapd"},
	{"imap", regexp.MustCompile(`^\* (?:OK|PREAUTH) .*IMAP4`), ""},
	// others that greet first
	{"vnc", regexp.MustCompile(`^RFB (?P<version>\d{3}\.\d{3})`), "VNC"},
	{"mqtt", regexp.MustCompile(`^\x20\x02\x00\x05`), ""},
}

// MatchBanner names a service from the first line(s) a server sent.
func MatchBanner(banner string) (service, product, version string, ok bool) {
	for _, rule := range bannerRules {
		m := rule.pattern.FindStringSubmatch(banner)
		if m == nil {
			continue
		}
		product = rule.product
		for i, name := range rule.pattern.SubexpNames() {
			switch name {
			case "version":
				version = m[i]
			case "product":
				product = m[i]
			}
		}
		return rule.service, product, strings.TrimRight(version, "."), true
	}
	return "", "", "", false
}

// printable makes a banner safe to log and show: control bytes become '.', at most 256 bytes.
func printable(b []byte) string {
	if len(b) > 256 {
		b = b[:256]
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return strings.TrimRight(string(out), ".")
}
