package flow

import (
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/detect"
)

// appParsers holds the reused state of the application-layer parsers and the events the
// table fills (a pointer handed to an interface would otherwise be allocated per event), so
// the table allocates only the strings that DNS, TLS and HTTP events carry.
type appParsers struct {
	dns   dnsMessage
	http  httpRequest
	hello clientHello

	attempt    detect.ConnAttempt
	end        detect.FlowEnd
	dnsEvent   detect.DNS
	helloEvent detect.TLSHello
	httpEvent  detect.HTTPRequest
	payload    Payload
}

const dnsPort = 53

// payload hands a segment to the application parsers and to Payload.
func (t *Table) payload(f *Flow, p *decode.Packet, out bool, now time.Time) {
	data := p.Payload
	var offset uint64
	if out {
		offset = f.payloadOut
		f.payloadOut += uint64(len(data))
	} else {
		offset = f.payloadIn
		f.payloadIn += uint64(len(data))
	}
	switch {
	case p.Proto == decode.ProtoUDP && (p.SrcPort == dnsPort || p.DstPort == dnsPort):
		t.dns(f, data, now)
	case p.Proto == decode.ProtoTCP && out:
		if offset == 0 && !f.sawTLS && parseClientHello(data, &t.apps.hello) {
			f.sawTLS = true
			e := &t.apps.helloEvent
			*e = detect.TLSHello{
				Time: now, VNI: f.key.VNI, Client: endpoint(f.client), Server: endpoint(f.server),
				SNI: string(t.apps.hello.sni), JA3: t.apps.hello.ja3Hash,
			}
			t.sink.TLSHello(e)
		} else if !f.sawTLS && parseHTTPRequest(data, &t.apps.http) {
			r := &t.apps.http
			e := &t.apps.httpEvent
			*e = detect.HTTPRequest{
				Time: now, VNI: f.key.VNI, Client: endpoint(f.client), Server: endpoint(f.server),
				Method: string(r.method), URI: string(r.uri), Host: string(r.host), UserAgent: string(r.userAgent),
			}
			t.sink.HTTPRequest(e)
		}
	}
	if offset >= uint64(t.opts.PayloadBytes) {
		return
	}
	if rest := uint64(t.opts.PayloadBytes) - offset; uint64(len(data)) > rest {
		data = data[:rest]
	}
	pl := &t.apps.payload
	*pl = Payload{Time: now, VNI: f.key.VNI, Proto: f.key.Proto, Client: endpoint(f.client), Server: endpoint(f.server), FromClient: out, Offset: offset, Data: data}
	t.sink.Payload(pl)
}

func (t *Table) dns(f *Flow, data []byte, now time.Time) {
	m := &t.apps.dns
	if !parseDNS(data, m) {
		return
	}
	e := &t.apps.dnsEvent
	*e = detect.DNS{
		Time: now, VNI: f.key.VNI, Client: endpoint(f.client), Server: endpoint(f.server),
		Response: m.response, Name: string(m.name), QType: m.qtype, RCode: m.rcode, Answers: m.answers,
	}
	t.sink.DNS(e)
}
