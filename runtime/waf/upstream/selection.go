package upstream

import (
	"fmt"
	"net/http"
)

// selector is a load-balancing policy: it picks one of the UP members of a snapshot that
// is not in skip (members a retry already tried), or nil when there is none. Policies are
// small and separate: roundrobin.go, leastconn.go, source.go. A pick allocates nothing.
type selector interface {
	pick(set *memberSet, r *http.Request, skip []*Member) *Member
}

// newSelector returns the policy named by a server_pool's load_balancing.
func newSelector(policy string) (selector, error) {
	switch policy {
	case "", "roundrobin":
		return &roundRobin{}, nil
	case "leastconn":
		return &leastConn{}, nil
	case "source":
		return sourceHash{}, nil
	default:
		return nil, fmt.Errorf("load_balancing %q is not one of roundrobin, leastconn, source", policy)
	}
}

// eligible reports whether m may receive a request: UP and not already tried.
func eligible(m *Member, skip []*Member) bool {
	if !m.Up() {
		return false
	}
	for _, s := range skip {
		if s == m {
			return false
		}
	}
	return true
}
