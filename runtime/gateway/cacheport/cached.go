package cacheport

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/cache"
)

// serveCached answers a GET or HEAD from the memory cache, revalidating or fetching
// through a collapsed flight when needed.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, o origin, url string, st *settings) {
	reqCC := cache.ParseCacheControl(r.Header.Values("Cache-Control"))
	if reqCC.NoStore {
		s.passThrough(w, r, o, url)
		return
	}
	now := time.Now()
	stored := s.store.Lookup(url, r.Header)
	if stored != nil && stored.Body.Failed() {
		s.store.Remove(stored)
		stored = nil
	}
	clientWantsFresh := reqCC.NoCache || (reqCC.HasMaxAge && reqCC.MaxAge == 0)
	if stored != nil && stored.Fresh(now) && !clientWantsFresh {
		s.writeObject(w, r, stored, "HIT")
		return
	}
	if stored == nil && reqCC.OnlyIfCached {
		http.Error(w, "rampart gateway: not in cache (only-if-cached)", http.StatusGatewayTimeout)
		return
	}
	for range 2 { // a joiner whose flight cannot serve it gets one more round as leader
		flight, leader := s.store.Join(url, r.Header)
		if !leader {
			if obj := flight.Wait(r.Context().Done(), r.Header); obj != nil {
				s.writeObject(w, r, obj, "HIT")
				return
			}
			if r.Context().Err() != nil {
				return
			}
			continue
		}
		s.lead(w, r, o, url, st, stored, flight)
		return
	}
	s.passThrough(w, r, o, url) // the object varies in a way no flight could serve this client
}

// lead fetches url for the cache: a conditional request when a stale copy has validators.
// Joiners get the result as soon as the response headers are in.
func (s *Server) lead(w http.ResponseWriter, r *http.Request, o origin, url string, st *settings, stale *cache.Object, flight *cache.Flight) {
	out, cancel, err := fillRequest(r, url)
	if err != nil {
		s.store.Land(url, flight, nil, false)
		s.upstreamFailed(w, r, o, err)
		return
	}
	if stale != nil {
		etag, lastModified := stale.Validators()
		if etag != "" {
			out.Header.Set("If-None-Match", etag)
		}
		if lastModified != "" {
			out.Header.Set("If-Modified-Since", lastModified)
		}
	}
	resp, err := s.upstream.RoundTrip(out)
	if err != nil {
		cancel()
		s.store.Land(url, flight, nil, false)
		s.upstreamFailed(w, r, o, err)
		return
	}
	now := time.Now()
	s.counters.misses.Add(1)

	if resp.StatusCode == http.StatusNotModified && stale != nil {
		resp.Body.Close()
		cancel()
		fresh := stale.Revalidated(resp.Header, now, st.rules.Lifetime(url, mergedHeader(stale.Header, resp.Header), now))
		s.store.Insert(fresh)
		s.store.Land(url, flight, fresh, true)
		s.writeObject(w, r, fresh, "REVALIDATED")
		return
	}

	header := resp.Header.Clone()
	removeHopByHop(header)
	storable, _ := cache.Storable(http.MethodGet, r.Header, resp.StatusCode, header)
	if storable && resp.ContentLength > s.store.MaxObject() {
		storable = false
	}
	if !storable {
		// Nobody else may have this answer: joiners fetch for themselves.
		s.store.Land(url, flight, nil, false)
		defer cancel()
		defer resp.Body.Close()
		copyResponseHeader(w.Header(), resp.Header)
		w.Header().Set("X-Cache", "MISS")
		w.WriteHeader(resp.StatusCode)
		if r.Method != http.MethodHead {
			n, _ := copyBody(w, resp.Body)
			s.counters.bytesFetched.Add(uint64(n))
		}
		return
	}

	if stale != nil {
		s.store.Remove(stale)
	}
	if resp.ContentLength < 0 {
		s.leadUnknownLength(w, r, url, st, flight, resp, header, now, cancel)
		return
	}
	obj := cache.NewObject(url, r.Header, resp.StatusCode, header, cache.NewBody(), now, st.rules.Lifetime(url, header, now))
	s.store.Insert(obj)
	s.store.Land(url, flight, obj, true)
	s.background.Add(1)
	go s.fill(obj, resp, cancel)
	s.writeObject(w, r, obj, "MISS")
}

// leadUnknownLength serves a storable response without Content-Length. Its size is only
// known at the end, so it is not shared while it arrives (that could hold an endless body
// in memory for the joiners): joiners fetch for themselves, and the leader's copy enters
// the cache when it ends within the object size limit.
func (s *Server) leadUnknownLength(w http.ResponseWriter, r *http.Request, url string, st *settings, flight *cache.Flight,
	resp *http.Response, header http.Header, now time.Time, cancel func()) {
	s.store.Land(url, flight, nil, false)
	defer cancel()
	defer resp.Body.Close()
	copyResponseHeader(w.Header(), resp.Header)
	w.Header().Set("X-Cache", "MISS")
	w.WriteHeader(resp.StatusCode)
	body := cache.NewBody()
	capped := &cappedBody{body: body, limit: s.store.MaxObject()}
	n, err := copyBody(w, io.TeeReader(resp.Body, capped))
	s.counters.bytesFetched.Add(uint64(n))
	if err != nil || capped.over {
		return
	}
	body.Finish(nil)
	s.store.Insert(cache.NewObject(url, r.Header, resp.StatusCode, header, body, now, st.rules.Lifetime(url, header, now)))
}

// cappedBody fills a body up to limit bytes, then drops it.
type cappedBody struct {
	body  *cache.Body
	limit int64
	over  bool
}

func (c *cappedBody) Write(p []byte) (int, error) {
	if !c.over && c.body.Size()+int64(len(p)) > c.limit {
		c.over, c.body = true, nil // let the collector have it
	}
	if !c.over {
		_, _ = c.body.Write(p)
	}
	return len(p), nil
}

// fill copies the origin's body into the cached object, whoever is reading it.
func (s *Server) fill(obj *cache.Object, resp *http.Response, cancel func()) {
	defer s.background.Done()
	defer cancel()
	defer resp.Body.Close()
	guard := newStallGuard(resp.Body, cancel)
	n, err := obj.Body.ReadFrom(guard)
	guard.stop()
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = io.ErrUnexpectedEOF
	}
	s.counters.bytesFetched.Add(uint64(n))
	obj.Body.Finish(err)
	if err != nil {
		s.counters.upstreamErrors.Add(1)
		s.logger.Warn("origin body failed; the partial object is dropped", slog.String("host", hostOf(obj.Key)), slog.String("error", err.Error()))
	}
	s.store.Complete(obj)
}

// writeObject sends a cached (or arriving) object. Complete 200s, and arriving ones of
// known length, go through http.ServeContent for ranges and conditional requests.
func (s *Server) writeObject(w http.ResponseWriter, r *http.Request, obj *cache.Object, how string) {
	h := w.Header()
	copyResponseHeader(h, obj.Header)
	h.Set("X-Cache", how)
	if how != "MISS" {
		h.Set("Age", strconv.FormatInt(int64(obj.Age(time.Now())/time.Second), 10))
		s.counters.hits.Add(1)
	}
	cw := &countingWriter{ResponseWriter: w}
	defer func() {
		if how != "MISS" {
			s.counters.bytesFromCache.Add(uint64(cw.n))
		}
	}()
	size, complete := obj.Body.Complete()
	if !complete {
		if cl, err := strconv.ParseInt(obj.Header.Get("Content-Length"), 10, 64); err == nil {
			size, complete = cl, true // known length: ReadAt waits for the bytes
		}
	}
	if obj.Status == http.StatusOK && complete && plainGet(r) {
		// The common case, kept off ServeContent: chunks go straight from memory to the socket.
		h.Set("Content-Length", strconv.FormatInt(size, 10))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		if _, err := obj.Body.WriteTo(cw); err == cache.ErrIncomplete {
			panic(http.ErrAbortHandler)
		}
		return
	}
	if obj.Status == http.StatusOK && complete {
		if _, ok := h["Content-Type"]; !ok {
			h["Content-Type"] = nil // do not let ServeContent guess one
		}
		var modtime time.Time
		if lm, err := http.ParseTime(obj.Header.Get("Last-Modified")); err == nil {
			modtime = lm
		}
		h.Del("Last-Modified") // ServeContent writes it from modtime
		h.Del("Content-Length")
		http.ServeContent(cw, r, "", modtime, &abortOnFailure{io.NewSectionReader(obj.Body, 0, size)})
		return
	}
	w.WriteHeader(obj.Status)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := obj.Body.WriteTo(flushWriter{cw}); err == cache.ErrIncomplete {
		panic(http.ErrAbortHandler) // the client must see a broken transfer, not a short file
	}
}

// plainGet says whether a request asks for the whole object unconditionally.
func plainGet(r *http.Request) bool {
	h := r.Header
	return h.Get("Range") == "" && h.Get("If-None-Match") == "" && h.Get("If-Modified-Since") == "" &&
		h.Get("If-Match") == "" && h.Get("If-Unmodified-Since") == ""
}

// abortOnFailure turns a body that failed part way into an aborted response.
type abortOnFailure struct{ *io.SectionReader }

func (a *abortOnFailure) Read(p []byte) (int, error) {
	n, err := a.SectionReader.Read(p)
	if err == cache.ErrIncomplete {
		panic(http.ErrAbortHandler)
	}
	return n, err
}

// mergedHeader is stored updated by a 304's headers, for computing the new lifetime.
func mergedHeader(stored, h304 http.Header) http.Header {
	h := stored.Clone()
	for k, v := range h304 {
		h[k] = v
	}
	return h
}

// countingWriter counts body bytes written.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
