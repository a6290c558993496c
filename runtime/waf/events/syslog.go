package events

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// Tuning of the syslog sender; tests shrink them.
type senderSettings struct {
	queueSize    int           // messages waiting for the sender; beyond, they are dropped
	dialTimeout  time.Duration // to connect (and handshake, for TLS)
	writeTimeout time.Duration // per message: a stalled server costs this, then a reconnect
	minBackoff   time.Duration // first wait before redialling a failed server
	maxBackoff   time.Duration
	drainTimeout time.Duration // Close sends what is queued for at most this long
}

var defaultSenderSettings = senderSettings{
	queueSize:    4096,
	dialTimeout:  5 * time.Second,
	writeTimeout: 5 * time.Second,
	minBackoff:   250 * time.Millisecond,
	maxBackoff:   30 * time.Second,
	drainTimeout: 2 * time.Second,
}

// syslogSender delivers messages from a bounded queue on one goroutine. Enqueuing never
// blocks: a full queue drops the message and counts it, so a slow or absent syslog server
// costs requests nothing.
type syslogSender struct {
	target    config.SyslogTarget
	tlsConfig *tls.Config // tls:// only
	settings  senderSettings
	logger    *slog.Logger

	queue   chan []byte
	stop    chan struct{}
	done    chan struct{}
	closed  atomic.Bool
	sent    atomic.Uint64
	dropped atomic.Uint64

	// Owned by the sender goroutine.
	conn         *syslogConn
	backoff      time.Duration
	nextDial     time.Time
	reportedDown bool
}

func newSyslogSender(target config.SyslogTarget, settings senderSettings, logger *slog.Logger) (*syslogSender, error) {
	s := &syslogSender{
		target:   target,
		settings: settings,
		logger:   logger,
		queue:    make(chan []byte, settings.queueSize),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		backoff:  settings.minBackoff,
	}
	if target.Network == "tls" {
		host, _, _ := net.SplitHostPort(target.Address)
		s.tlsConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		if target.CAFile != "" {
			pem, err := os.ReadFile(target.CAFile)
			if err != nil {
				return nil, fmt.Errorf("syslog ca_file: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("syslog ca_file %s: no PEM certificate found", target.CAFile)
			}
			s.tlsConfig.RootCAs = pool
		}
	}
	go s.run()
	return s, nil
}

// enqueue hands msg to the sender, or drops it when the queue is full or closed.
func (s *syslogSender) enqueue(msg []byte) {
	if s.closed.Load() {
		s.dropped.Add(1)
		return
	}
	select {
	case s.queue <- msg:
	default:
		s.dropped.Add(1)
	}
}

// close stops accepting messages, sends what is queued for at most drainTimeout and
// closes the connection.
func (s *syslogSender) close() {
	if s.closed.Swap(true) {
		<-s.done
		return
	}
	close(s.stop)
	<-s.done
}

func (s *syslogSender) run() {
	defer close(s.done)
	for {
		select {
		case msg := <-s.queue:
			s.deliver(msg, s.settings.writeTimeout)
		case <-s.stop:
			s.drain()
			s.disconnect()
			return
		}
	}
}

func (s *syslogSender) drain() {
	deadline := time.Now().Add(s.settings.drainTimeout)
	for time.Now().Before(deadline) {
		select {
		case msg := <-s.queue:
			s.deliver(msg, time.Until(deadline))
		default:
			return
		}
	}
	s.dropped.Add(uint64(len(s.queue))) // left over when the deadline passed
}

// deliver sends one message. A broken stream connection is redialled and the message
// retried once, so a restarted syslog server loses nothing that was still queued.
func (s *syslogSender) deliver(msg []byte, writeTimeout time.Duration) {
	for attempt := 0; attempt < 2; attempt++ {
		if s.conn == nil && !s.connect() {
			break
		}
		err := s.conn.write(msg, writeTimeout)
		if err == nil {
			s.sent.Add(1)
			return
		}
		if s.target.Network == "udp" {
			break // a datagram is fire and forget: no reconnection to try
		}
		s.logger.Warn("syslog write failed; reconnecting", slog.String("syslog", s.target.Address), slog.String("error", err.Error()))
		s.disconnect()
	}
	s.dropped.Add(1)
}

// connect dials the server unless it is backing off after a failure. Messages that
// arrive while it backs off are dropped, which keeps the queue moving.
func (s *syslogSender) connect() bool {
	if time.Now().Before(s.nextDial) {
		return false
	}
	conn, err := dialSyslog(s.target, s.tlsConfig, s.settings.dialTimeout)
	if err != nil {
		s.nextDial = time.Now().Add(s.backoff)
		if !s.reportedDown {
			s.logger.Warn("syslog server unreachable; events are dropped until it answers",
				slog.String("syslog", s.target.Network+"://"+s.target.Address), slog.String("error", err.Error()))
			s.reportedDown = true
		}
		s.backoff = min(2*s.backoff, s.settings.maxBackoff)
		return false
	}
	if s.reportedDown {
		s.logger.Info("syslog server reachable again", slog.String("syslog", s.target.Network+"://"+s.target.Address))
		s.reportedDown = false
	}
	s.conn = conn
	s.backoff = s.settings.minBackoff
	return true
}

func (s *syslogSender) disconnect() {
	if s.conn != nil {
		s.conn.close()
		s.conn = nil
	}
}

// syslogConn is one connection to the syslog server.
type syslogConn struct {
	net.Conn
	stream bool          // tcp or tls: octet-counting framing (RFC 6587 3.4.1)
	dead   chan struct{} // closed when the server closed a stream connection
}

var errServerClosed = errors.New("syslog server closed the connection")

func dialSyslog(target config.SyslogTarget, tlsConfig *tls.Config, timeout time.Duration) (*syslogConn, error) {
	dialer := &net.Dialer{Timeout: timeout}
	var conn net.Conn
	var err error
	switch target.Network {
	case "udp":
		conn, err = dialer.Dial("udp", target.Address)
	case "tcp":
		conn, err = dialer.Dial("tcp", target.Address)
	case "tls":
		conn, err = tls.DialWithDialer(dialer, "tcp", target.Address, tlsConfig)
	default:
		err = fmt.Errorf("unknown syslog network %q", target.Network)
	}
	if err != nil {
		return nil, err
	}
	c := &syslogConn{Conn: conn, stream: target.Network != "udp", dead: make(chan struct{})}
	if c.stream {
		// A syslog server never writes: a read returns only when it closes the
		// connection. Noticing that before the next write saves the message that would
		// otherwise vanish into a half-closed socket.
		go func() {
			_, _ = io.Copy(io.Discard, conn)
			close(c.dead)
		}()
	}
	return c, nil
}

func (c *syslogConn) write(msg []byte, timeout time.Duration) error {
	select {
	case <-c.dead:
		return errServerClosed
	default:
	}
	if err := c.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if !c.stream {
		_, err := c.Write(msg)
		return err
	}
	frame := make([]byte, 0, len(msg)+8)
	frame = strconv.AppendInt(frame, int64(len(msg)), 10)
	frame = append(frame, ' ')
	frame = append(frame, msg...)
	_, err := c.Write(frame)
	return err
}

func (c *syslogConn) close() {
	_ = c.Close()
}
