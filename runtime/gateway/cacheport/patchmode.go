package cacheport

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/patch"
)

// servePatch answers a patch-mode request from the patch store: a stored file (after
// asking the origin whether it changed once it is older than patch.revalidate), or a
// download in progress that the first request started, whole, whatever range it asked for.
func (s *Server) servePatch(w http.ResponseWriter, r *http.Request, o origin, url string, st *settings) {
	if f := s.patches.Get(url); f != nil {
		if time.Since(f.FetchedAt) < st.patchRevalidate || s.patchUnchanged(r, url, f) {
			s.servePatchFile(w, r, f, "HIT")
			return
		}
	}
	fill, leader := s.patches.Join(url)
	if leader {
		out, cancel, err := fillRequest(r, url)
		if err != nil {
			fill.Abort()
			s.upstreamFailed(w, r, o, err)
			return
		}
		s.background.Add(1)
		go s.download(out, cancel, o, fill)
	}
	if !fill.Wait(r.Context().Done()) {
		if r.Context().Err() == nil {
			s.passThrough(w, r, o, url) // the origin refused or failed: answer as it does
		}
		return
	}
	how := "HIT"
	if leader {
		how = "MISS"
	}
	if fill.Size < 0 { // no Content-Length: ranges need the whole file first
		if f := fill.WaitDone(); f != nil {
			s.servePatchFile(w, r, f, how)
		} else {
			http.Error(w, "rampart gateway: the patch file download failed", http.StatusBadGateway)
		}
		return
	}
	reader, err := fill.Reader()
	if err != nil {
		http.Error(w, "rampart gateway: "+err.Error(), http.StatusInternalServerError)
		return
	}
	defer reader.Close()
	s.writePatch(w, r, fill.Header, io.NewSectionReader(reader, 0, fill.Size), how)
}

// patchUnchanged asks the origin whether a stored file changed (conditional GET); true on
// 304, when the stored file is then good for another patch.revalidate.
func (s *Server) patchUnchanged(r *http.Request, url string, f *patch.File) bool {
	etag, lastModified := f.Header.Get("ETag"), f.Header.Get("Last-Modified")
	if etag == "" && lastModified == "" {
		return false
	}
	out, cancel, err := fillRequest(r, url)
	if err != nil {
		return false
	}
	defer cancel()
	if etag != "" {
		out.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		out.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := s.upstream.RoundTrip(out)
	if err != nil {
		// An unreachable origin leaves the stored copy as the best answer.
		s.counters.upstreamErrors.Add(1)
		return true
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		return false
	}
	if err := s.patches.Touch(f, time.Now()); err != nil {
		s.logger.Warn("patch metadata update failed", slog.String("error", err.Error()))
	}
	return true
}

// download fetches a patch file whole into the store.
func (s *Server) download(out *http.Request, cancel context.CancelFunc, o origin, fill *patch.Fill) {
	defer s.background.Done()
	defer cancel()
	resp, err := s.upstream.RoundTrip(out)
	if err != nil {
		s.counters.upstreamErrors.Add(1)
		s.logger.Warn("patch download failed", slog.String("host", o.host), slog.String("error", err.Error()))
		fill.Abort()
		return
	}
	defer resp.Body.Close()
	s.counters.misses.Add(1)
	if resp.StatusCode != http.StatusOK {
		fill.Abort()
		return
	}
	header := resp.Header.Clone()
	removeHopByHop(header)
	for _, f := range []string{"Set-Cookie", "Date", "Age", "Content-Length"} {
		header.Del(f)
	}
	if err := fill.Start(header, resp.ContentLength); err != nil {
		s.logger.Error("patch store cannot write", slog.String("error", err.Error()))
		return
	}
	guard := newStallGuard(resp.Body, cancel)
	bp := copyBuffers.Get().(*[]byte)
	n, err := io.CopyBuffer(fill, guard, *bp)
	copyBuffers.Put(bp)
	guard.stop()
	s.counters.bytesFetched.Add(uint64(n))
	if _, err := fill.Finish(err, time.Now()); err != nil {
		s.counters.upstreamErrors.Add(1)
		s.logger.Warn("patch download failed; nothing was kept", slog.String("host", o.host), slog.String("error", err.Error()))
	}
}

// servePatchFile sends a stored patch file.
func (s *Server) servePatchFile(w http.ResponseWriter, r *http.Request, f *patch.File, how string) {
	file, err := s.patches.OpenFile(f)
	if err != nil {
		http.Error(w, "rampart gateway: patch file unreadable", http.StatusInternalServerError)
		return
	}
	defer file.Close()
	s.writePatch(w, r, f.Header, file, how)
}

// writePatch sends patch content with ranges, resume (If-Range) and multi-range.
func (s *Server) writePatch(w http.ResponseWriter, r *http.Request, header http.Header, content io.ReadSeeker, how string) {
	h := w.Header()
	copyResponseHeader(h, header)
	h.Set("X-Cache", how)
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil
	}
	var modtime time.Time
	if lm, err := http.ParseTime(header.Get("Last-Modified")); err == nil {
		modtime = lm
	}
	h.Del("Last-Modified")
	cw := &countingWriter{ResponseWriter: w}
	http.ServeContent(cw, r, "", modtime, content)
	if how != "MISS" {
		s.counters.hits.Add(1)
		s.counters.bytesFromCache.Add(uint64(cw.n))
	}
}

// hostOf is the host of a URL, for logs (never the query: it may hold tokens).
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
}
