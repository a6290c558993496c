package findings

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"
)

// Syslog sends each finding as an RFC 5424 message whose MSG is the finding's JSON:
// over UDP one datagram per message, over TCP and TLS with octet-counting framing
// (RFC 6587 / RFC 5425). A broken stream connection is redialled once per message.
type Syslog struct {
	network string // udp, tcp, tls
	addr    string
	tls     *tls.Config
	host    string
	conn    net.Conn
}

// syslogFacility is "security/authorization" (4), where IDS alerts go.
const syslogFacility = 4

// dialTimeout bounds connecting and each write, so a dead collector cannot stall delivery.
const dialTimeout = 5 * time.Second

// NewSyslog parses udp://host:port, tcp://host:port or tls://host:port. tlsConfig is used
// for tls:// (nil means the system roots and the URL's host as server name).
func NewSyslog(rawURL string, tlsConfig *tls.Config) (*Syslog, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("findings syslog %q: want udp://host:port, tcp://host:port or tls://host:port", rawURL)
	}
	switch u.Scheme {
	case "udp", "tcp", "tls":
	default:
		return nil, fmt.Errorf("findings syslog %q: scheme must be udp, tcp or tls", rawURL)
	}
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "-"
	}
	return &Syslog{network: u.Scheme, addr: u.Host, tls: tlsConfig, host: host}, nil
}

// Name implements Sink.
func (s *Syslog) Name() string { return "syslog" }

// Send implements Sink.
func (s *Syslog) Send(_ context.Context, f *Finding) error {
	msg, err := s.format(f)
	if err != nil {
		return err
	}
	if s.network != "udp" {
		msg = append([]byte(strconv.Itoa(len(msg))+" "), msg...)
	}
	for attempt := 0; attempt < 2; attempt++ {
		if s.conn == nil {
			if err = s.dial(); err != nil {
				continue
			}
		}
		s.conn.SetWriteDeadline(time.Now().Add(dialTimeout))
		if _, err = s.conn.Write(msg); err == nil {
			return nil
		}
		s.conn.Close()
		s.conn = nil
	}
	return fmt.Errorf("syslog %s://%s: %w", s.network, s.addr, err)
}

func (s *Syslog) dial() error {
	var err error
	d := net.Dialer{Timeout: dialTimeout}
	if s.network == "tls" {
		s.conn, err = tls.DialWithDialer(&d, "tcp", s.addr, s.tls)
	} else {
		s.conn, err = d.Dial(s.network, s.addr)
	}
	return err
}

// format renders the RFC 5424 message: <PRI>1 TIMESTAMP HOST rampart-cdr - TYPE - JSON.
func (s *Syslog) format(f *Finding) ([]byte, error) {
	body, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode finding: %w", err)
	}
	pri := syslogFacility*8 + syslogSeverity(f.Severity)
	ts := f.LastSeen.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	header := fmt.Sprintf("<%d>1 %s %s rampart-cdr - %s - ", pri, ts, s.host, msgID(f.Type))
	return append([]byte(header), body...), nil
}

// syslogSeverity maps 0-10 to syslog severities: critical, error, warning, notice.
func syslogSeverity(severity int) int {
	switch {
	case severity >= 9:
		return 2
	case severity >= 7:
		return 3
	case severity >= 4:
		return 4
	default:
		return 5
	}
}

// msgID makes a finding type a valid MSGID (printable ASCII, at most 32 characters).
func msgID(typ string) string {
	if typ == "" {
		return "-"
	}
	b := []byte(typ)
	for i, c := range b {
		if c <= ' ' || c > '~' {
			b[i] = '_'
		}
	}
	if len(b) > 32 {
		b = b[:32]
	}
	return string(b)
}

// Close implements Sink.
func (s *Syslog) Close() error {
	if s.conn != nil {
		return s.conn.Close()
	}
	return nil
}
