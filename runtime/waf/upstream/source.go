package upstream

import (
	"math"
	"net/http"
	"strings"
)

// sourceHash sends every request of a client IP to the same member, by weighted
// rendezvous (highest random weight) hashing: each member scores hash(client, member)
// scaled by its weight and the best score wins. Removing a member, or one going DOWN,
// remaps only the clients it had; adding one takes only the clients it now wins.
type sourceHash struct{}

func (sourceHash) pick(set *memberSet, r *http.Request, skip []*Member) *Member {
	client := hashString(clientHost(r.RemoteAddr))
	var best *Member
	bestScore := math.Inf(-1)
	for _, m := range set.all {
		if !eligible(m, skip) {
			continue
		}
		if score := rendezvousScore(client, m.b.hash, m.Weight); score > bestScore {
			best, bestScore = m, score
		}
	}
	return best
}

// rendezvousScore is weight / -ln(u) for u uniform in (0,1) drawn from the pair's hash:
// the member with the highest score wins, with probability proportional to its weight.
func rendezvousScore(client, member uint64, weight int) float64 {
	h := mix64(client ^ member)
	u := (float64(h>>11) + 0.5) / (1 << 53) // in (0,1), never 0 or 1
	return float64(weight) / -math.Log(u)
}

// mix64 is the splitmix64 finaliser: it spreads every input bit over the output.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashString is 64-bit FNV-1a, inline so that hashing a request allocates nothing.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// clientHost is the IP of a RemoteAddr ("1.2.3.4:5678" or "[::1]:5678") without the port.
func clientHost(remoteAddr string) string {
	if strings.HasPrefix(remoteAddr, "[") {
		if end := strings.IndexByte(remoteAddr, ']'); end > 0 {
			return remoteAddr[1:end]
		}
	}
	if colon := strings.LastIndexByte(remoteAddr, ':'); colon >= 0 && strings.Count(remoteAddr, ":") == 1 {
		return remoteAddr[:colon]
	}
	return remoteAddr
}
