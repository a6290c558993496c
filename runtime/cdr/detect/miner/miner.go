// Package miner finds coin-mining traffic in TCP payloads:
//
//   - stratum v1 JSON-RPC: a "method" member together with mining.subscribe,
//     mining.authorize, mining.submit, mining.notify or mining.set_difficulty;
//   - Monero-style stratum: "method" with "login" and "agent", or "submit" with "job_id"
//     and "nonce", or a "job" with "blob" and "job_id"; known miner agent strings (XMRig,
//     xmr-stak, ...) are named in the evidence;
//   - getblocktemplate JSON-RPC (solo mining against a node over HTTP);
//   - transfers of known miner binaries: once a flow direction shows an ELF or PE header in
//     its first ProtocolBytes, its next BinaryBytes are searched for the signature file's
//     byte patterns.
//
// The protocol tokens are searched case-insensitively in the first ProtocolBytes (default
// 16 KiB) of each direction; after that a flow without an executable costs one map lookup
// per packet. Compressed or TLS-encrypted payloads are not seen.
package miner

import (
	"net/netip"
	"sort"
	"strings"
	"time"
)

// Protocols named in reports.
const (
	ProtocolStratum          = "stratum"
	ProtocolMoneroStratum    = "monero-stratum"
	ProtocolGetBlockTemplate = "getblocktemplate"
)

// Config bounds the inspection; see the package comment.
type Config struct {
	ProtocolBytes int
	BinaryBytes   int
	MaxFlows      int
	Signatures    []Signature
}

// FlowKey identifies a flow; Client opened it.
type FlowKey struct {
	VNI            uint32
	Client, Server netip.AddrPort
}

// Report is a detected miner flow.
type Report struct {
	Key       FlowKey
	Binary    bool     // a miner binary transfer (else a mining protocol)
	Protocol  string   // for protocol reports
	Methods   []string // protocol methods seen so far
	Agent     string   // miner agent token seen (xmrig, ...)
	Names     []string // for binary reports: signature names that matched
	FromPool  bool     // binary reports: true when the server sent the binary
	FirstSeen time.Time
	LastSeen  time.Time
}

// Token ids of the protocol automaton, in the order of protocolTokens.
const (
	tokMethod = iota
	tokSubscribe
	tokAuthorize
	tokSubmitStratum
	tokNotify
	tokSetDifficulty
	tokLogin
	tokAgent
	tokJobID
	tokNonce
	tokSubmit
	tokJob
	tokBlob
	tokGetBlockTemplate
	tokELF32
	tokELF64
	tokPEStub
	tokPE32
	tokPE64
	tokFirstAgent // agent tokens follow
)

var protocolTokens = []string{
	`"method"`, "mining.subscribe", "mining.authorize", "mining.submit", "mining.notify",
	"mining.set_difficulty", `"login"`, `"agent"`, `"job_id"`, `"nonce"`, `"submit"`, `"job"`,
	`"blob"`, "getblocktemplate",
	"\x7fELF\x01\x01", "\x7fELF\x02\x01", "This program cannot be run in DOS mode", "PE\x00\x00L\x01", "PE\x00\x00d\x86",
}

// minerAgents are the agent strings of popular miners (matched case-insensitively).
var minerAgents = []string{
	"xmrig", "xmr-stak", "xmr-node-proxy", "cpuminer", "bfgminer", "cgminer", "ccminer",
	"srbminer", "teamredminer", "lolminer", "nbminer", "nanominer", "gminer", "phoenixminer",
}

var methodNames = map[int32]string{
	tokSubscribe: "mining.subscribe", tokAuthorize: "mining.authorize", tokSubmitStratum: "mining.submit",
	tokNotify: "mining.notify", tokSetDifficulty: "mining.set_difficulty", tokLogin: "login",
	tokSubmit: "submit", tokJob: "job", tokGetBlockTemplate: "getblocktemplate",
}

type direction struct {
	next      int64 // stream offset expected next
	protoSt   int32
	binary    bool // an executable header was seen
	binSt     int32
	binStart  int64 // stream offset where binary scanning started
	binLimit  int64
	protoDone bool
}

type flow struct {
	dir        [2]direction // 0: client → server, 1: server → client
	tokens     uint64
	signatures []bool // per signature id
	protoSent  bool
	binSent    bool
	first      time.Time
	last       time.Time
}

// Inspector keeps per-flow matching state. Not safe for concurrent use.
type Inspector struct {
	cfg     Config
	proto   *automaton
	binary  *automaton
	sigs    []Signature
	flows   map[FlowKey]*flow
	free    []*flow
	dropped uint64
	// current holds the flow being scanned so that the match callbacks need no closure state.
	current *flow
	curDir  int
}

// New builds an Inspector; zero limits take the defaults (16 KiB, 32 MiB, 65536 flows).
func New(cfg Config) *Inspector {
	if cfg.ProtocolBytes <= 0 {
		cfg.ProtocolBytes = 16384
	}
	if cfg.BinaryBytes <= 0 {
		cfg.BinaryBytes = 32 << 20
	}
	if cfg.MaxFlows <= 0 {
		cfg.MaxFlows = 65536
	}
	tokens := make([][]byte, 0, len(protocolTokens)+len(minerAgents))
	for _, t := range protocolTokens {
		tokens = append(tokens, []byte(t))
	}
	for _, t := range minerAgents {
		tokens = append(tokens, []byte(t))
	}
	pats := make([][]byte, len(cfg.Signatures))
	for i, s := range cfg.Signatures {
		pats[i] = s.Pattern
	}
	return &Inspector{
		cfg: cfg, proto: newAutomaton(tokens, true), binary: newAutomaton(pats, false),
		sigs: cfg.Signatures, flows: make(map[FlowKey]*flow),
	}
}

// Dropped is how many payloads were not inspected because MaxFlows flows were tracked.
func (in *Inspector) Dropped() uint64 { return in.dropped }

// Flows is the number of flows being inspected.
func (in *Inspector) Flows() int { return len(in.flows) }

// Payload inspects one TCP segment's payload at its stream offset. It returns a report the
// first time a flow is recognised as mining (and, separately, the first time it carries a
// miner binary).
func (in *Inspector) Payload(k FlowKey, fromClient bool, offset int64, data []byte, t time.Time) (Report, bool) {
	f := in.flows[k]
	if f == nil {
		if len(in.flows) >= in.cfg.MaxFlows {
			in.dropped++
			return Report{}, false
		}
		f = in.newFlow()
		f.first = t
		in.flows[k] = f
	}
	f.last = t
	di := 1
	if fromClient {
		di = 0
	}
	d := &f.dir[di]
	if d.protoDone && !d.binary {
		return Report{}, false
	}
	// Skip retransmitted bytes; after a gap, restart matching (a pattern across the gap is lost).
	if offset < d.next {
		skip := d.next - offset
		if skip >= int64(len(data)) {
			return Report{}, false
		}
		data, offset = data[skip:], d.next
	} else if offset > d.next {
		d.protoSt, d.binSt = 0, 0
	}
	d.next = offset + int64(len(data))
	in.current, in.curDir = f, di

	if !d.protoDone {
		chunk := data
		if remain := int64(in.cfg.ProtocolBytes) - offset; remain < int64(len(chunk)) {
			chunk = chunk[:max(remain, 0)]
			d.protoDone = true
		}
		d.protoSt = in.proto.scan(d.protoSt, chunk, in.onToken)
		if !d.binary && f.tokens&(1<<tokELF32|1<<tokELF64|1<<tokPEStub|1<<tokPE32|1<<tokPE64) != 0 {
			// Only the direction that carried the header turns binary scanning on.
			d.binary, d.binStart, d.binLimit = true, offset, offset+int64(in.cfg.BinaryBytes)
			f.tokens &^= 1<<tokELF32 | 1<<tokELF64 | 1<<tokPEStub | 1<<tokPE32 | 1<<tokPE64
		}
	}
	if d.binary && len(in.sigs) > 0 {
		chunk := data
		if remain := d.binLimit - offset; remain < int64(len(chunk)) {
			chunk = chunk[:max(remain, 0)]
			d.binary = false
		}
		d.binSt = in.binary.scan(d.binSt, chunk, in.onSignature)
	}
	if !f.protoSent {
		if proto := protocolOf(f.tokens); proto != "" {
			f.protoSent = true
			return in.report(k, f, proto), true
		}
	}
	if !f.binSent && f.signatures != nil && anyTrue(f.signatures) {
		f.binSent = true
		r := in.report(k, f, "")
		r.Binary = true
		r.FromPool = di == 1
		for i, hit := range f.signatures {
			if hit && !contains(r.Names, in.sigs[i].Name) {
				r.Names = append(r.Names, in.sigs[i].Name)
			}
		}
		sort.Strings(r.Names)
		return r, true
	}
	return Report{}, false
}

func (in *Inspector) onToken(id int32) {
	if id < 64 {
		in.current.tokens |= 1 << uint(id)
	}
}

func (in *Inspector) onSignature(id int32) {
	f := in.current
	if f.signatures == nil {
		f.signatures = make([]bool, len(in.sigs))
	}
	f.signatures[id] = true
}

// End forgets a finished flow.
func (in *Inspector) End(k FlowKey) {
	if f := in.flows[k]; f != nil {
		delete(in.flows, k)
		in.recycle(f)
	}
}

// Expire forgets flows with no payload since idle before now (flows whose end the decoder
// never reported).
func (in *Inspector) Expire(now time.Time, idle time.Duration) {
	cutoff := now.Add(-idle)
	for k, f := range in.flows {
		if f.last.Before(cutoff) {
			delete(in.flows, k)
			in.recycle(f)
		}
	}
}

func (in *Inspector) newFlow() *flow {
	if n := len(in.free); n > 0 {
		f := in.free[n-1]
		in.free = in.free[:n-1]
		return f
	}
	return &flow{}
}

func (in *Inspector) recycle(f *flow) {
	*f = flow{}
	if len(in.free) < 1024 {
		in.free = append(in.free, f)
	}
}

func (in *Inspector) report(k FlowKey, f *flow, proto string) Report {
	r := Report{Key: k, Protocol: proto, FirstSeen: f.first, LastSeen: f.last}
	for id := int32(0); id < tokFirstAgent; id++ {
		if name, ok := methodNames[id]; ok && f.tokens&(1<<uint(id)) != 0 {
			r.Methods = append(r.Methods, name)
		}
	}
	for i, a := range minerAgents {
		if id := tokFirstAgent + i; id < 64 && f.tokens&(1<<uint(id)) != 0 {
			r.Agent = a
			break
		}
	}
	return r
}

// protocolOf decides from the tokens seen whether a flow speaks a mining protocol.
func protocolOf(tokens uint64) string {
	has := func(ids ...int) bool {
		for _, id := range ids {
			if tokens&(1<<uint(id)) == 0 {
				return false
			}
		}
		return true
	}
	if !has(tokMethod) {
		return ""
	}
	switch {
	case tokens&(1<<tokSubscribe|1<<tokAuthorize|1<<tokSubmitStratum|1<<tokNotify|1<<tokSetDifficulty) != 0:
		return ProtocolStratum
	case has(tokLogin, tokAgent), has(tokSubmit, tokJobID, tokNonce), has(tokJob, tokBlob, tokJobID):
		return ProtocolMoneroStratum
	case has(tokGetBlockTemplate):
		return ProtocolGetBlockTemplate
	}
	return ""
}

func anyTrue(b []bool) bool {
	for _, v := range b {
		if v {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// AgentIn returns the miner agent named in a User-Agent header (case-insensitive), or "".
func AgentIn(userAgent string) string {
	if userAgent == "" {
		return ""
	}
	ua := strings.ToLower(userAgent)
	for _, a := range minerAgents {
		if strings.Contains(ua, a) {
			return a
		}
	}
	return ""
}
