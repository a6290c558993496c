package miner

// automaton is an Aho-Corasick matcher with a dense transition table: one table lookup per
// input byte, no allocation, and a state that can be carried from one packet to the next so
// patterns split across packets are still found.
type automaton struct {
	next    []int32   // state*256 + byte → next state
	outputs [][]int32 // state → ids of the patterns that end here (including via fail links)
	fold    bool      // match ASCII letters case-insensitively
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// newAutomaton builds the matcher for patterns; pattern i reports id i.
func newAutomaton(patterns [][]byte, fold bool) *automaton {
	a := &automaton{fold: fold}
	// Build the trie with -1 for "no edge".
	trie := [][256]int32{{}}
	for i := range trie[0] {
		trie[0][i] = -1
	}
	a.outputs = [][]int32{nil}
	for id, p := range patterns {
		s := int32(0)
		for _, b := range p {
			if fold {
				b = lower(b)
			}
			if trie[s][b] < 0 {
				var row [256]int32
				for i := range row {
					row[i] = -1
				}
				trie = append(trie, row)
				a.outputs = append(a.outputs, nil)
				trie[s][b] = int32(len(trie) - 1)
			}
			s = trie[s][b]
		}
		a.outputs[s] = append(a.outputs[s], int32(id))
	}
	// Breadth-first: fail links, merged outputs, and the dense table.
	fail := make([]int32, len(trie))
	a.next = make([]int32, len(trie)*256)
	queue := []int32{}
	for b := 0; b < 256; b++ {
		if t := trie[0][b]; t >= 0 {
			a.next[b] = t
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		a.outputs[s] = append(a.outputs[s], a.outputs[fail[s]]...)
		for b := 0; b < 256; b++ {
			t := trie[s][b]
			if t < 0 {
				a.next[int(s)*256+b] = a.next[int(fail[s])*256+b]
				continue
			}
			fail[t] = a.next[int(fail[s])*256+b]
			a.next[int(s)*256+b] = t
			queue = append(queue, t)
		}
	}
	return a
}

// scan feeds data from state and calls match for every pattern occurrence; it returns the
// state to continue from.
func (a *automaton) scan(state int32, data []byte, match func(id int32)) int32 {
	next, outputs := a.next, a.outputs
	if a.fold {
		for _, b := range data {
			state = next[int(state)<<8|int(lower(b))]
			for _, id := range outputs[state] {
				match(id)
			}
		}
		return state
	}
	for _, b := range data {
		state = next[int(state)<<8|int(b)]
		for _, id := range outputs[state] {
			match(id)
		}
	}
	return state
}
