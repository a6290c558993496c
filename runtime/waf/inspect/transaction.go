package inspect

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	"github.com/corazawaf/coraza/v3/types"
)

// Transaction is the inspection of one request and, with response inspection, its
// response. Its Verdict is valid until Close, which must be called exactly once.
type Transaction struct {
	tx       types.Transaction
	paranoia int
	verdict  Verdict
	// correlates is set when the policy loads the outbound rules, whose correlation rules
	// run in the logging phase; logged once that phase ran.
	correlates, logged bool
}

var transactions = sync.Pool{New: func() any { return new(Transaction) }}

// InspectRequest runs the request phases over r's line and headers and over body, the
// buffered request body (nil when InspectsBody said no; at most BodyLimit bytes). It does
// not read r.Body. requestID names the transaction in the engine and the events.
func (in *Inspector) InspectRequest(r *http.Request, body []byte, requestID string) *Transaction {
	t := transactions.Get().(*Transaction)
	t.paranoia = in.policy.ParanoiaLevel
	t.correlates, t.logged = in.policy.ResponseInspection, false
	t.verdict.reset()
	t.tx = in.engine.waf.NewTransactionWithID(requestID)

	tx := t.tx
	client, port := splitHostPort(r.RemoteAddr)
	tx.ProcessConnection(client, port, "", 0)
	tx.ProcessURI(requestURI(r), r.Method, r.Proto)
	for name, values := range r.Header {
		for _, v := range values {
			tx.AddRequestHeader(name, v)
		}
	}
	// net/http moves Host and Transfer-Encoding out of the header map; the rules need
	// them (missing Host, request smuggling).
	if r.Host != "" {
		tx.AddRequestHeader("Host", r.Host)
		tx.SetServerName(r.Host)
	}
	for _, te := range r.TransferEncoding {
		tx.AddRequestHeader("Transfer-Encoding", te)
	}

	if tx.ProcessRequestHeaders() == nil {
		if len(body) > 0 {
			addRefusedPartHeaders(tx, r.Header.Get("Content-Type"), body)
			// Errors concern buffering limits we already enforce; the body processors
			// report parse errors to the rules (REQBODY_ERROR), not here.
			_, _, _ = tx.WriteRequestBody(body)
		}
		_, _ = tx.ProcessRequestBody()
	}
	t.verdict.collect(tx, t.paranoia)
	return t
}

// addRefusedPartHeaders puts the multipart header lines the body processor cannot read
// into MULTIPART_PART_HEADERS (see refusedPartHeaders), before the body rules run.
func addRefusedPartHeaders(tx types.Transaction, contentType string, body []byte) {
	lines := refusedPartHeaders(contentType, body)
	if len(lines) == 0 {
		return
	}
	state, ok := tx.(plugintypes.TransactionState)
	if !ok {
		return
	}
	headers := state.Variables().MultipartPartHeaders()
	for _, line := range lines {
		headers.Add("", line)
	}
}

// Verdict is the outcome so far: of the request phases, then of the response phases.
func (t *Transaction) Verdict() *Verdict { return &t.verdict }

// InspectResponseHeaders runs the response-header rules. It reports whether the body
// should be inspected too (the rules cover its content type and nothing blocked yet).
func (t *Transaction) InspectResponseHeaders(status int, proto string, header http.Header) (inspectBody bool) {
	tx := t.tx
	if tx.IsInterrupted() {
		return false
	}
	for name, values := range header {
		for _, v := range values {
			tx.AddResponseHeader(name, v)
		}
	}
	tx.ProcessResponseHeaders(status, proto)
	t.verdict.collect(tx, t.paranoia)
	return !tx.IsInterrupted() && tx.IsResponseBodyAccessible() && tx.IsResponseBodyProcessable()
}

// InspectResponseBody runs the response-body rules over body (at most
// DefaultResponseBodyLimit bytes are looked at).
func (t *Transaction) InspectResponseBody(body []byte) {
	tx := t.tx
	if tx.IsInterrupted() {
		return
	}
	if len(body) > 0 {
		_, _, _ = tx.WriteResponseBody(body)
	}
	_, _ = tx.ProcessResponseBody()
	t.verdict.collect(tx, t.paranoia)
}

// InspectLogging runs the logging phase, where the Core Rule Set's correlation rules
// (RESPONSE-980, loaded with response inspection) report the exchange's final anomaly
// scores. Call it once the request and response rules are done and before reporting the
// verdict, so that the report includes them. It runs at most once per transaction.
func (t *Transaction) InspectLogging() {
	if t.logged {
		return
	}
	t.logged = true
	// No audit log is configured, so the logging phase only matters for the correlation
	// rules.
	if !t.correlates {
		return
	}
	t.tx.ProcessLogging()
	t.verdict.collect(t.tx, t.paranoia)
}

// Close releases the transaction to the engine. The verdict must not be used after.
func (t *Transaction) Close() {
	t.InspectLogging()
	_ = t.tx.Close()
	t.tx = nil
	clear(t.verdict.matched) // the pooled Transaction keeps no request data
	t.verdict.matched = t.verdict.matched[:0]
	transactions.Put(t)
}

// requestURI is the target as the client sent it, before Go's decoding, so that the rules
// see every encoding trick.
func requestURI(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// splitHostPort splits "ip:port" and "[v6]:port" without allocating.
func splitHostPort(addr string) (string, int) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return addr, 0
	}
	port, _ := strconv.Atoi(addr[i+1:])
	return strings.TrimSuffix(strings.TrimPrefix(addr[:i], "["), "]"), port
}
