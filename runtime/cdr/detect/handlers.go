package detect

import (
	"net/netip"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/detect/beacon"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/dga"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/miner"
	"github.com/rampart-sec/rampart/runtime/cdr/detect/scan"
	"github.com/rampart-sec/rampart/runtime/cdr/findings"
)

// Ports whose regular timing is by design, so they are not scored as beacons: DNS (its
// own detectors look at it) and NTP (clients poll at fixed intervals).
var beaconExemptPorts = map[uint16]bool{53: true, 123: true}

// OnConnAttempt takes one TCP connection attempt whose outcome is known.
func (e *Engine) OnConnAttempt(a ConnAttempt) {
	e.checkIPs(a.Time, a.VNI, a.Src, a.Dst)
	if a.Answered || e.scan == nil {
		return
	}
	r, found := e.scan.Failed(scan.Attempt{
		Time: a.Time, VNI: a.VNI, Src: a.Src.Addr,
		Dst:     scan.Target{Addr: a.Dst.Addr, Port: a.Dst.Port},
		NmapSYN: scan.IsNmapSYN(a.SYNWindow, a.SYNOptions),
	})
	if found {
		e.emit(scanFinding(r))
	}
}

// OnFlowEnd takes a finished flow.
func (e *Engine) OnFlowEnd(f FlowEnd) {
	e.checkIPs(f.End, f.VNI, f.Client, f.Server)
	if e.miner != nil && f.Proto == 6 {
		e.miner.End(flowKey(f.VNI, f.Client, f.Server))
	}
	// Only conversations are beacon candidates: a scan's probes would each become a pair
	// of one connection, fill the tracker's MaxPairs for the whole window and crowd out
	// the real beacons (and cost a map insert per probe).
	if e.beacon != nil && (f.Proto == 6 || f.Proto == 17) && f.Conversation() && !beaconExemptPorts[f.Server.Port] {
		e.beacon.Add(beacon.PairKey{VNI: f.VNI, Src: f.Client.Addr, Dst: f.Server.Addr, Port: f.Server.Port}, f.Start, f.BytesOut)
	}
}

// OnDNS takes one DNS query or response; d is not kept after the call.
func (e *Engine) OnDNS(d *DNS) {
	name := d.Name
	if listed := e.indicators.MatchDomain(name); listed != "" {
		e.indicatorHit(findings.TypeIndicatorDomain, d.Time, d.VNI, d.Client, d.Server, "domain", listed, name)
	}
	if !d.Response {
		if e.tunnel != nil {
			if r, found := e.tunnel.Query(d.VNI, d.Client.Addr, name, d.QType, d.Time); found {
				e.emit(tunnelFinding(r, d.Server))
			}
		}
		return
	}
	for _, a := range d.Answers {
		if e.indicators.MatchIP(a) {
			e.indicatorHit(findings.TypeIndicatorIP, d.Time, d.VNI, d.Client, Endpoint{Addr: a}, "ip", a.String(), name)
		}
	}
	if e.dga != nil {
		if r, found := e.dga.Response(dga.ClientKey{VNI: d.VNI, Client: d.Client.Addr}, name, d.RCode == RCodeNXDomain, d.Time); found {
			e.emit(dgaFinding(r, d.Server))
		}
	}
}

// OnTLSHello takes a TLS ClientHello.
func (e *Engine) OnTLSHello(h TLSHello) {
	if listed := e.indicators.MatchDomain(strings.ToLower(h.SNI)); listed != "" {
		e.indicatorHit(findings.TypeIndicatorDomain, h.Time, h.VNI, h.Client, h.Server, "domain", listed, h.SNI)
	}
	if label, ok := e.indicators.MatchJA3(h.JA3); ok {
		e.indicatorHit(findings.TypeIndicatorJA3, h.Time, h.VNI, h.Client, h.Server, "ja3", h.JA3, label)
	}
}

// OnHTTPRequest takes an HTTP request line and headers; r is not kept after the call.
func (e *Engine) OnHTTPRequest(r *HTTPRequest) {
	host := strings.ToLower(r.Host)
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	if listed := e.indicators.MatchDomain(host); listed != "" {
		e.indicatorHit(findings.TypeIndicatorDomain, r.Time, r.VNI, r.Client, r.Server, "domain", listed, host)
	}
	if e.miner != nil {
		if agent := miner.AgentIn(r.UserAgent); agent != "" && e.repeats.allow(repeatKey{findings.TypeCoinMiner, r.VNI, r.Client.Addr, r.Server.Addr}, r.Time) {
			e.emit(newFinding(findings.TypeCoinMiner, "Coin-miner HTTP client", 7, r.Time, r.Time, r.VNI,
				r.Client.Addr.String(), r.Server.String(), map[string]any{
					"protocol": "http", "agent": agent, "user_agent": r.UserAgent, "method": r.Method, "uri": r.URI,
					"client": r.Client.Addr.String(), "pool": r.Server.String(),
				}))
		}
	}
}

// OnPayload takes TCP payload bytes at their stream offset; data is only read during the
// call.
func (e *Engine) OnPayload(vni uint32, client, server Endpoint, fromClient bool, offset int64, data []byte, t time.Time) {
	if e.miner == nil || len(data) == 0 {
		return
	}
	if r, found := e.miner.Payload(flowKey(vni, client, server), fromClient, offset, data, t); found {
		e.emit(minerFinding(r))
	}
}

// checkIPs reports either end of a connection that is on the IP indicator list.
func (e *Engine) checkIPs(t time.Time, vni uint32, src, dst Endpoint) {
	if e.indicators.MatchIP(dst.Addr) {
		e.indicatorHit(findings.TypeIndicatorIP, t, vni, src, dst, "ip", dst.Addr.String(), "")
	}
	if e.indicators.MatchIP(src.Addr) {
		e.indicatorHit(findings.TypeIndicatorIP, t, vni, src, dst, "ip", src.Addr.String(), "")
	}
}

// indicatorHit publishes an indicator match at most once a minute per (type, pair): the
// same hit comes with every packet and the publisher's suppression does the rest.
func (e *Engine) indicatorHit(typ string, t time.Time, vni uint32, src, dst Endpoint, kind, indicator, context string) {
	if !e.repeats.allow(repeatKey{typ, vni, src.Addr, dst.Addr}, t) {
		return
	}
	ev := map[string]any{"indicator": indicator, "indicator_type": kind}
	if context != "" && context != indicator {
		ev["context"] = context
	}
	e.emit(newFinding(typ, "Traffic matches a listed "+kind, 8, t, t, vni, src.Addr.String(), dst.String(), ev))
}

func flowKey(vni uint32, client, server Endpoint) miner.FlowKey {
	return miner.FlowKey{VNI: vni, Client: netip.AddrPortFrom(client.Addr, client.Port), Server: netip.AddrPortFrom(server.Addr, server.Port)}
}
