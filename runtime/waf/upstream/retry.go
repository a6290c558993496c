package upstream

import (
	"net/http"
	"sync"
)

// serve proxies r to first and, when that fails before the member answered, retries it
// on other UP members, at most p.retries times and never twice on the same member.
//
// Only requests that are safe to send again are retried: GET, HEAD, OPTIONS and TRACE,
// and PUT and DELETE (idempotent by definition), all without a request body (a body may
// have been consumed by the failed attempt). POST and PATCH are never retried. Only a
// connection failure triggers a retry (refused, reset, connect timeout): once the member
// has sent any response byte, or its response is merely slow, the error goes to the client.
func (p *Pool) serve(w http.ResponseWriter, r *http.Request, first *Member) {
	if err := bufferSmallBody(r); err != nil {
		// The client's fault, not the member's: no attempt is made.
		http.Error(w, "400 bad request: could not read the request body", http.StatusBadRequest)
		return
	}
	retries := 0
	if retryable(r) {
		retries = p.retries
	}
	m := first
	var tried []*Member // allocated only when a retry happens
	for {
		wrote, err := p.attempt(w, r, m)
		if err == nil {
			return
		}
		if retries > 0 && !wrote && isConnectFailure(err) && r.Context().Err() == nil {
			tried = append(tried, m)
			if next := p.selector.pick(p.members.Load(), r, tried); next != nil {
				p.log().Info("retrying request on another pool member",
					"pool", p.Name, "failed_member", m.Address, "member", next.Address, "error", err.Error())
				retries--
				m = next
				continue
			}
		}
		p.onError(w, r, m, err)
		return
	}
}

// attempt proxies r to m once. It returns whether anything was written to the client
// (a 1xx, or a protocol upgrade) and the error that stopped it before a response.
func (p *Pool) attempt(w http.ResponseWriter, r *http.Request, m *Member) (wrote bool, err error) {
	m.b.begin()
	defer m.b.end()
	aw := attemptWriters.Get().(*attemptWriter)
	aw.ResponseWriter = w
	defer func() {
		*aw = attemptWriter{}
		attemptWriters.Put(aw)
	}()
	if m.b.h1 != nil && handlesRequest(r) {
		aw.err = m.b.h1.serve(aw, r)
	} else {
		m.b.proxy.ServeHTTP(aw, r)
	}
	if aw.err == nil {
		p.requestSucceeded(m)
		return false, nil
	}
	// A client that went away is not the member's fault.
	if r.Context().Err() == nil {
		p.requestFailed(m, aw.err)
	}
	return aw.wrote, aw.err
}

// retryable reports whether r may be sent again after a connection failure.
func retryable(r *http.Request) bool {
	if r.ContentLength != 0 {
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// attemptWriter is the ResponseWriter of one attempt: the member's proxy reports its
// error here instead of answering, and the writer notes whether the client got anything.
// Unwrap lets http.ResponseController reach the real writer (flush, upgrade).
type attemptWriter struct {
	http.ResponseWriter
	err   error
	wrote bool
}

var attemptWriters = sync.Pool{New: func() any { return new(attemptWriter) }}

func (aw *attemptWriter) WriteHeader(code int) {
	aw.wrote = true
	aw.ResponseWriter.WriteHeader(code)
}

func (aw *attemptWriter) Write(b []byte) (int, error) {
	aw.wrote = true
	return aw.ResponseWriter.Write(b)
}

func (aw *attemptWriter) Unwrap() http.ResponseWriter { return aw.ResponseWriter }
