package upstream

import (
	"net/http"
	"sync/atomic"
)

// leastConn sends a request to the member with the fewest requests in flight relative to
// its weight (in-flight/weight, compared by cross-multiplying, as nginx's least_conn).
// Ties, such as every member idle, are broken in smooth weighted round-robin order, so an
// idle pool still spreads requests by weight.
type leastConn struct {
	next atomic.Uint64
}

func (lc *leastConn) pick(set *memberSet, _ *http.Request, skip []*Member) *Member {
	var best *Member
	ties := 0
	for _, m := range set.all {
		if !eligible(m, skip) {
			continue
		}
		switch {
		case best == nil || lessLoaded(m, best):
			best, ties = m, 1
		case !lessLoaded(best, m):
			ties++
		}
	}
	if ties <= 1 {
		return best
	}
	n := uint64(len(set.order))
	start := lc.next.Add(1) - 1
	for i := range n {
		m := set.all[set.order[(start+i)%n]]
		if eligible(m, skip) && !lessLoaded(best, m) && !lessLoaded(m, best) {
			return m
		}
	}
	return best // loads changed under us; best is still a fine answer
}

// lessLoaded reports whether a carries less load per unit of weight than b.
func lessLoaded(a, b *Member) bool {
	return a.InFlight()*int64(b.Weight) < b.InFlight()*int64(a.Weight)
}
