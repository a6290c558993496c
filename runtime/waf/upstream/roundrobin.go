package upstream

import (
	"net/http"
	"sync/atomic"
)

// roundRobin is weighted round robin over the snapshot's precomputed, interleaved order: a
// member of weight 3 appears 3 times, spread out (a a b a, not a a a b) as nginx's smooth
// weighted round robin would pick them. Picking is one atomic add, without locks; the
// counter survives membership changes.
type roundRobin struct {
	next atomic.Uint64
}

func (rr *roundRobin) pick(set *memberSet, _ *http.Request, skip []*Member) *Member {
	n := uint64(len(set.order))
	if n == 0 {
		return nil
	}
	start := rr.next.Add(1) - 1
	// Skip members that are down or tried; give up after one full turn.
	for i := range n {
		m := set.all[set.order[(start+i)%n]]
		if eligible(m, skip) {
			return m
		}
	}
	return nil
}

// maxOrderLength bounds the precomputed order when weights are large; weights are reduced
// by their greatest common divisor first, so ordinary weights are exact.
const maxOrderLength = 4096

// smoothWeightedOrder runs nginx's smooth weighted round robin for one full cycle.
func smoothWeightedOrder(members []*Member) []int {
	weights := make([]int, len(members))
	total, divisor := 0, 0
	for i, m := range members {
		weights[i] = max(m.Weight, 1)
		divisor = gcd(divisor, weights[i])
	}
	for i := range weights {
		weights[i] /= divisor
		total += weights[i]
	}
	if total > maxOrderLength {
		// Scale down, keeping every member at least once.
		for i := range weights {
			weights[i] = max(weights[i]*maxOrderLength/total, 1)
		}
		total = 0
		for _, w := range weights {
			total += w
		}
	}
	current := make([]int, len(weights))
	order := make([]int, 0, total)
	for range total {
		best := -1
		for i, w := range weights {
			current[i] += w
			if best < 0 || current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		order = append(order, best)
	}
	return order
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
