package events

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is a real syslog server on 127.0.0.1: every message it gets is sent to msgs.
type receiver struct {
	addr string
	msgs chan string

	// Stream receivers only.
	ln    net.Listener
	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// startUDPReceiver listens for RFC 5426 datagrams (one message each).
func startUDPReceiver(t *testing.T) *receiver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	r := &receiver{addr: pc.LocalAddr().String(), msgs: make(chan string, 1024)}
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			r.msgs <- string(buf[:n])
		}
	}()
	return r
}

// startStreamReceiver accepts connections on ln and reads octet-counted frames
// (RFC 6587 3.4.1, also the framing of RFC 5425).
func startStreamReceiver(t *testing.T, ln net.Listener) *receiver {
	t.Helper()
	r := &receiver{addr: ln.Addr().String(), msgs: make(chan string, 1024), ln: ln, conns: map[net.Conn]bool{}}
	t.Cleanup(r.stop)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.conns[conn] = true
			r.mu.Unlock()
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				defer conn.Close()
				readFrames(conn, r.msgs)
			}()
		}
	}()
	return r
}

// stop closes the listener and every connection, as a server going down does.
func (r *receiver) stop() {
	if r.ln == nil {
		return
	}
	r.ln.Close()
	r.mu.Lock()
	for c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// readFrames reads "LEN SP MSG" frames until the connection ends or a frame is malformed
// (a malformed frame is reported as a message starting with "BAD FRAME" so tests fail).
func readFrames(conn io.Reader, out chan<- string) {
	br := bufio.NewReader(conn)
	for {
		length, err := br.ReadString(' ')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(length, " "))
		if err != nil || n <= 0 || n > 1<<20 {
			out <- "BAD FRAME " + length
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(br, msg); err != nil {
			return
		}
		out <- string(msg)
	}
}

func startTCPReceiver(t *testing.T) *receiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startStreamReceiver(t, ln)
}

// startTLSReceiver serves RFC 5425 with a self-signed certificate for 127.0.0.1 and
// returns the path of that certificate, for ca_file.
func startTLSReceiver(t *testing.T) (*receiver, string) {
	t.Helper()
	cert, caFile := selfSignedCert(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	return startStreamReceiver(t, ln), caFile
}

func selfSignedCert(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "syslog test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return cert, caFile
}

// next returns the next message or fails the test after a generous bound.
func (r *receiver) next(t *testing.T) string {
	t.Helper()
	select {
	case m := <-r.msgs:
		return m
	case <-time.After(10 * time.Second):
		t.Fatalf("syslog receiver %s got no message", r.addr)
		return ""
	}
}

// syslogMessage is a parsed RFC 5424 message.
type syslogMessage struct {
	pri                              int
	version                          int
	timestamp                        time.Time
	hostname, appName, procID, msgID string
	sdID                             string
	params                           map[string]string
	msg                              string
}

// parseRFC5424 parses the subset of RFC 5424 the emitter writes: one SD element.
func parseRFC5424(s string) (syslogMessage, error) {
	var m syslogMessage
	if !strings.HasPrefix(s, "<") {
		return m, fmt.Errorf("no PRI: %q", s)
	}
	end := strings.IndexByte(s, '>')
	if end < 2 || end > 4 {
		return m, fmt.Errorf("bad PRI: %q", s)
	}
	var err error
	if m.pri, err = strconv.Atoi(s[1:end]); err != nil || m.pri > 191 {
		return m, fmt.Errorf("bad PRI %q", s[1:end])
	}
	fields := strings.SplitN(s[end+1:], " ", 7)
	if len(fields) != 7 {
		return m, fmt.Errorf("header has %d fields: %q", len(fields), s)
	}
	if m.version, err = strconv.Atoi(fields[0]); err != nil {
		return m, fmt.Errorf("bad VERSION %q", fields[0])
	}
	if m.timestamp, err = time.Parse(time.RFC3339Nano, fields[1]); err != nil {
		return m, fmt.Errorf("bad TIMESTAMP: %v", err)
	}
	m.hostname, m.appName, m.procID, m.msgID = fields[2], fields[3], fields[4], fields[5]
	rest := fields[6]
	if !strings.HasPrefix(rest, "[") {
		return m, fmt.Errorf("no STRUCTURED-DATA: %q", rest)
	}
	m.params = map[string]string{}
	i := 1
	sp := strings.IndexByte(rest, ' ')
	m.sdID = rest[i:sp]
	i = sp
	for i < len(rest) && rest[i] == ' ' {
		eq := strings.IndexByte(rest[i:], '=')
		name := rest[i+1 : i+eq]
		i += eq + 2 // past ="
		var value strings.Builder
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' && i+1 < len(rest) {
				i++
			}
			value.WriteByte(rest[i])
		}
		m.params[name] = value.String()
		i++ // past the closing quote
	}
	if i >= len(rest) || rest[i] != ']' {
		return m, fmt.Errorf("unterminated SD-ELEMENT: %q", rest)
	}
	m.msg = strings.TrimPrefix(rest[i+1:], " ")
	return m, nil
}

// startBenchUDP is a UDP sink for benchmarks.
func startBenchUDP(b *testing.B) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().String()
}
