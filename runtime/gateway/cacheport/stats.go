package cacheport

import "sync/atomic"

type counters struct {
	hits, misses, bytesFromCache, bytesFetched, upstreamErrors, denied atomic.Uint64
}

// Stats returns the counters and the current use of the memory cache and patch store.
func (s *Server) Stats() Stats {
	st := Stats{
		Hits:           s.counters.hits.Load(),
		Misses:         s.counters.misses.Load(),
		BytesFromCache: s.counters.bytesFromCache.Load(),
		BytesFetched:   s.counters.bytesFetched.Load(),
		UpstreamErrors: s.counters.upstreamErrors.Load(),
		Denied:         s.counters.denied.Load(),
	}
	st.BandwidthSaved = st.BytesFromCache
	st.Objects, st.BytesUsed, st.CapacityBytes = s.store.Usage()
	if s.patches != nil {
		st.PatchFiles, st.PatchBytesUsed, _ = s.patches.Usage()
	}
	return st
}
