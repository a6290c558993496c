package miner

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

var key = FlowKey{Client: netip.MustParseAddrPort("10.0.0.5:41000"), Server: netip.MustParseAddrPort("198.51.100.9:3333")}

func bundled(t testing.TB) []Signature {
	sigs, err := LoadSignatures("")
	if err != nil {
		t.Fatal(err)
	}
	return sigs
}

type segment struct {
	fromClient bool
	data       string
}

func TestProtocols(t *testing.T) {
	tests := []struct {
		name     string
		segments []segment
		protocol string
		agent    string
	}{
		{"stratum v1 subscribe", []segment{{true, `{"id": 1, "method": "mining.subscribe", "params": []}` + "\n"}}, ProtocolStratum, ""},
		{"stratum server notify", []segment{{false, `{"params": ["1", "abc"], "id": null, "method": "mining.notify"}`}}, ProtocolStratum, ""},
		{"monero login with agent", []segment{{true, `{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"4Abc","pass":"x","agent":"XMRig/6.21.0 (Linux x86_64)"}}`}}, ProtocolMoneroStratum, "xmrig"},
		{"monero submit", []segment{{true, `{"id":4,"method":"submit","params":{"id":"1","job_id":"77","nonce":"deadbeef","result":"00"}}`}}, ProtocolMoneroStratum, ""},
		{"getblocktemplate over HTTP", []segment{{true, "POST / HTTP/1.1\r\nHost: node:8332\r\n\r\n{\"method\": \"getblocktemplate\", \"params\": [{}], \"id\": 0}"}}, ProtocolGetBlockTemplate, ""},
		{"token split across segments", []segment{{true, `{"id": 1, "method": "mining.subs`}, {true, `cribe", "params": []}`}}, ProtocolStratum, ""},
		{"a web page about mining.subscribe is not JSON-RPC", []segment{{false, "HTTP/1.1 200 OK\r\n\r\n<p>call mining.subscribe first</p>"}}, "", ""},
		{"ordinary JSON-RPC", []segment{{true, `{"jsonrpc":"2.0","method":"eth_blockNumber","params":[],"id":1}`}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := New(Config{Signatures: bundled(t)})
			offsets := [2]int64{}
			var reports []Report
			for _, s := range tt.segments {
				d := 1
				if s.fromClient {
					d = 0
				}
				if r, ok := in.Payload(key, s.fromClient, offsets[d], []byte(s.data), t0); ok {
					reports = append(reports, r)
				}
				offsets[d] += int64(len(s.data))
			}
			if tt.protocol == "" {
				if len(reports) != 0 {
					t.Fatalf("reports %+v, want none", reports)
				}
				return
			}
			if len(reports) != 1 || reports[0].Protocol != tt.protocol || reports[0].Agent != tt.agent || reports[0].Key != key {
				t.Fatalf("reports %+v, want one %s report with agent %q", reports, tt.protocol, tt.agent)
			}
		})
	}
}

// elfWith builds a fake ELF payload with marker somewhere past the first packet.
func elfWith(marker string) []byte {
	b := []byte("\x7fELF\x02\x01\x01\x00")
	b = append(b, bytes.Repeat([]byte{0x90}, 5000)...)
	b = append(b, marker...)
	return append(b, bytes.Repeat([]byte{0}, 3000)...)
}

func TestBinaryTransfers(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    []string
	}{
		{"xmrig ELF over HTTP", append([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n"), elfWith("see donate.v2.xmrig.com for details")...), []string{"xmrig"}},
		{"PE with a stratum URL", append([]byte("MZ\x90\x00This program cannot be run in DOS mode.\r\n"), elfWith("stratum+tcp://pool:3333")[8:]...), []string{"generic"}},
		{"clean ELF", elfWith("hello world"), nil},
		{"text naming xmrig is not a binary", []byte(strings.Repeat("download xmrig.com donate.v2.xmrig.com ", 100)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := New(Config{Signatures: bundled(t)})
			var got []string
			// Deliver in 1400-byte segments from the server.
			for off := 0; off < len(tt.payload); off += 1400 {
				end := min(off+1400, len(tt.payload))
				if r, ok := in.Payload(key, false, int64(off), tt.payload[off:end], t0); ok && r.Binary {
					got = r.Names
					if !r.FromPool {
						t.Error("binary sent by the server not marked so")
					}
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("signatures %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInspectionBudget(t *testing.T) {
	in := New(Config{ProtocolBytes: 100})
	in.Payload(key, true, 0, bytes.Repeat([]byte("x"), 100), t0)
	if _, ok := in.Payload(key, true, 100, []byte(`{"method": "mining.subscribe"}`), t0); ok {
		t.Error("bytes past protocol_bytes were inspected")
	}
}

func TestRetransmissionAndGap(t *testing.T) {
	in := New(Config{})
	msg := []byte(`{"id": 1, "method": "mining.authorize", "params": ["w", "x"]}`)
	in.Payload(key, true, 0, msg[:20], t0)
	in.Payload(key, true, 0, msg[:20], t0) // retransmission: ignored
	if _, ok := in.Payload(key, true, 20, msg[20:], t0); !ok {
		t.Error("message across a retransmission not found")
	}
}

func TestParseSignatures(t *testing.T) {
	good := "# c\nfoo \"abcd\\x00\"\nbar\thex:01020304\n"
	sigs, err := ParseSignatures([]byte(good))
	if err != nil || len(sigs) != 2 || string(sigs[0].Pattern) != "abcd\x00" || !bytes.Equal(sigs[1].Pattern, []byte{1, 2, 3, 4}) {
		t.Fatalf("ParseSignatures = %+v, %v", sigs, err)
	}
	for _, bad := range []string{"foo", "foo abc", "foo hex:zz", "foo \"ab\"", "foo \"unterminated"} {
		if _, err := ParseSignatures([]byte(bad)); err == nil {
			t.Errorf("ParseSignatures(%q) accepted a bad line", bad)
		}
	}
	if len(bundled(t)) < 10 {
		t.Error("bundled signature list is too short")
	}
}

func TestAgentIn(t *testing.T) {
	if AgentIn("bfgminer/5.4.2") != "bfgminer" || AgentIn("Mozilla/5.0") != "" {
		t.Error("AgentIn")
	}
}

func BenchmarkPayloadSteadyState(b *testing.B) {
	in := New(Config{Signatures: bundled(b)})
	data := bytes.Repeat([]byte("GET /index.html HTTP/1.1\r\nHost: x\r\n"), 40)[:1400]
	var off int64
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		in.Payload(key, true, off, data, t0)
		off += int64(len(data))
	}
}
