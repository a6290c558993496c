package flow

import (
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

var resolver = netip.MustParseAddrPort("10.0.0.2:53")

func TestDNSQueryAndResponse(t *testing.T) {
	rec := &recorder{}
	table := NewTable(Options{}, rec)
	feed(table, t0,
		synth.UDP(client, resolver, synth.DNSQuery(7, "WWW.Example.COM", layers.DNSTypeA)),
		synth.UDP(resolver, client, synth.DNSResponse(7, "www.example.com", layers.DNSTypeA, layers.DNSResponseCodeNoErr)),
		synth.UDP(client, resolver, synth.DNSQuery(8, "qx7zk2.example.net", layers.DNSTypeTXT)),
		synth.UDP(resolver, client, synth.DNSResponse(8, "qx7zk2.example.net", layers.DNSTypeTXT, layers.DNSResponseCodeNXDomain)))
	if len(rec.dns) != 4 {
		t.Fatalf("%d DNS events, want 4", len(rec.dns))
	}
	q, r, nx := rec.dns[0], rec.dns[1], rec.dns[3]
	if q.Response || q.Name != "www.example.com" || q.QType != 1 || q.Client.Addr != client.Addr() {
		t.Errorf("query %+v", q)
	}
	if !r.Response || r.RCode != 0 || len(r.Answers) != 1 || r.Answers[0] != netip.MustParseAddr("93.184.216.34") {
		t.Errorf("response %+v", r)
	}
	if !nx.Response || nx.RCode != 3 || nx.QType != 16 || nx.Name != "qx7zk2.example.net" {
		t.Errorf("NXDOMAIN response %+v", nx)
	}
}

func TestDNSCompressionLoopIsRejected(t *testing.T) {
	msg := []byte{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1} // name points at itself
	var m dnsMessage
	if parseDNS(msg, &m) {
		t.Fatal("a name pointing at itself was accepted")
	}
}

// clientHelloOf captures the ClientHello Go's TLS client sends, as a real one to parse.
func clientHelloOf(t *testing.T, serverName string) []byte {
	c, s := net.Pipe()
	go func() {
		conn := tls.Client(c, &tls.Config{ServerName: serverName})
		_ = conn.Handshake() // fails when the pipe closes; only the hello matters
	}()
	buf := make([]byte, 4096)
	n, err := s.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	c.Close()
	return buf[:n]
}

func TestTLSClientHello(t *testing.T) {
	hello := clientHelloOf(t, "pool.example.org")
	rec := &recorder{}
	table := NewTable(Options{}, rec)
	feed(table, t0, synth.TCP(synth.TCPSegment{Src: client, Dst: netip.MustParseAddrPort("10.0.0.9:443"), ACK: true, PSH: true, Payload: hello}))
	if len(rec.hellos) != 1 {
		t.Fatalf("%d TLS hellos, want 1", len(rec.hellos))
	}
	h := rec.hellos[0]
	var parsed clientHello
	parseClientHello(hello, &parsed)
	sum := md5.Sum(parsed.ja3)
	ja3 := string(parsed.ja3)
	if h.SNI != "pool.example.org" || h.JA3 != hex.EncodeToString(sum[:]) || len(h.JA3) != 32 {
		t.Fatalf("hello %+v (JA3 string %q)", h, ja3)
	}
	// Go offers TLS 1.2 in the legacy version field (771) and the server_name extension (0).
	if fields := strings.Split(ja3, ","); len(fields) != 5 || fields[0] != "771" || !strings.HasPrefix(fields[2], "0-") && !strings.Contains(fields[2], "-0-") {
		t.Fatalf("JA3 string %q", ja3)
	}
}

func TestHTTPRequest(t *testing.T) {
	rec := &recorder{}
	table := NewTable(Options{}, rec)
	req := "POST / HTTP/1.1\r\nhost: pool.example.org:8332\r\nUser-Agent: bfgminer/3.10.0\r\nContent-Length: 2\r\n\r\n{}"
	feed(table, t0, synth.TCP(synth.TCPSegment{Src: client, Dst: netip.MustParseAddrPort("10.0.0.9:8332"), ACK: true, Payload: []byte(req)}))
	if len(rec.requests) != 1 {
		t.Fatalf("%d HTTP requests, want 1", len(rec.requests))
	}
	r := rec.requests[0]
	if r.Method != "POST" || r.URI != "/" || r.Host != "pool.example.org:8332" || r.UserAgent != "bfgminer/3.10.0" {
		t.Fatalf("request %+v", r)
	}
}

func FuzzParseDNS(f *testing.F) {
	f.Add(synth.DNSQuery(1, "example.com", layers.DNSTypeA))
	f.Add(synth.DNSResponse(1, "a.b.example.com", layers.DNSTypeA, layers.DNSResponseCodeNoErr))
	f.Add([]byte{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1})
	f.Fuzz(func(t *testing.T, msg []byte) {
		var m dnsMessage
		if parseDNS(msg, &m) && len(m.name) > 255 {
			t.Fatalf("name of %d bytes", len(m.name))
		}
	})
}

func FuzzParseClientHello(f *testing.F) {
	f.Add([]byte{22, 3, 1, 0, 5, 1, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, payload []byte) {
		var h clientHello
		if parseClientHello(payload, &h) && len(h.sni) > len(payload) {
			t.Fatal("SNI longer than the payload")
		}
	})
}

func FuzzParseHTTPRequest(f *testing.F) {
	f.Add([]byte("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.0\nUser-Agent: x\n"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		var r httpRequest
		if parseHTTPRequest(payload, &r) && len(r.method) == 0 {
			t.Fatal("request without a method")
		}
	})
}
