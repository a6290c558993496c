package cache

import (
	"container/list"
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// Object is one cached response: immutable once built. Revalidation makes a new Object
// sharing the same Body.
type Object struct {
	Key    string // the absolute URL
	Status int
	Header http.Header // end-to-end headers as received
	Body   *Body
	// Vary lists the request header fields the response varies by (canonical names) and
	// VaryValues their values in the request that fetched it.
	Vary       []string
	VaryValues []string
	// ReceivedAt is when the response arrived; it is fresh until ReceivedAt + Lifetime.
	ReceivedAt time.Time
	Lifetime   time.Duration
	// NoCache means every use must be revalidated with the origin first.
	NoCache bool

	el   *list.Element // place in the store's LRU list once the body is complete
	size int64         // bytes charged to the store
}

// NewObject builds the object for a response to a request with reqHeader.
func NewObject(key string, reqHeader http.Header, status int, h http.Header, body *Body, now time.Time, lifetime time.Duration) *Object {
	o := &Object{Key: key, Status: status, Header: h, Body: body, ReceivedAt: now, Lifetime: lifetime}
	o.Vary = varyFields(h)
	for _, f := range o.Vary {
		o.VaryValues = append(o.VaryValues, normalizedValue(reqHeader, f))
	}
	cc := ParseCacheControl(h.Values("Cache-Control"))
	o.NoCache = cc.NoCache
	return o
}

// Fresh says whether the object may be served without asking the origin.
func (o *Object) Fresh(now time.Time) bool {
	return !o.NoCache && now.Before(o.ReceivedAt.Add(o.Lifetime))
}

// Age is the Age header value to send.
func (o *Object) Age(now time.Time) time.Duration {
	return max(now.Sub(o.ReceivedAt), 0)
}

// Validators are the headers a conditional request to the origin carries.
func (o *Object) Validators() (etag, lastModified string) {
	return o.Header.Get("ETag"), o.Header.Get("Last-Modified")
}

// MatchesVary says whether the object may answer a request with reqHeader: every field
// it varies by must hold the same (normalized) value. A response that varies by
// Accept-Encoding is therefore never sent to a client that asked for another encoding.
func (o *Object) MatchesVary(reqHeader http.Header) bool {
	for i, f := range o.Vary {
		if normalizedValue(reqHeader, f) != o.VaryValues[i] {
			return false
		}
	}
	return true
}

// Revalidated returns a copy refreshed by a 304 answer: headers of the 304 replace the
// stored ones (RFC 9111 §4.3.4) and freshness starts again.
func (o *Object) Revalidated(h304 http.Header, now time.Time, lifetime time.Duration) *Object {
	h := o.Header.Clone()
	for k, v := range h304 {
		switch k {
		case "Content-Length", "Content-Encoding", "Transfer-Encoding", "Content-Range":
			continue // describe the 304 itself or would corrupt the stored body
		}
		h[k] = v
	}
	n := *o
	n.Header, n.ReceivedAt, n.Lifetime, n.el, n.size = h, now, lifetime, nil, 0
	n.NoCache = ParseCacheControl(h.Values("Cache-Control")).NoCache
	return &n
}

// varyFields are the canonical field names of the Vary header(s).
func varyFields(h http.Header) []string {
	var fields []string
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				fields = append(fields, textproto.CanonicalMIMEHeaderKey(f))
			}
		}
	}
	return fields
}

// normalizedValue is a request field's value in a form where equivalent spellings are
// equal: all occurrences joined, whitespace removed, lower case.
func normalizedValue(h http.Header, field string) string {
	vals := h.Values(field)
	if len(vals) == 0 {
		return "\x00absent"
	}
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		for _, r := range strings.ToLower(v) {
			if r != ' ' && r != '\t' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
