// Package dfa answers "does this regular expression match anywhere in this string?" with a
// lazily built deterministic automaton. The Core Rule Set's largest expressions (command
// and function-name alternations several kilobytes long) cost Go's regexp package, which
// simulates an NFA, microseconds per short value; a DFA walks the same value in a few
// nanoseconds per byte once its states exist.
//
// The automaton is built from the program of regexp/syntax, so it has exactly Go's RE2
// semantics, and only for what the rules ask on the hot path: whether a match exists.
// Where it would be complicated it does not try: inputs with non-ASCII bytes, and
// expressions whose automaton grows past a state budget, go to the regexp package.
package dfa

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// MaxStates bounds the states one Matcher builds. Past it the Matcher stops building and
// answers with the regexp package, so crafted inputs cannot grow memory without bound.
const MaxStates = 1000

// Matcher matches one regular expression. It is safe for concurrent use: walking existing
// states takes no lock; building a missing one takes the Matcher's mutex.
type Matcher struct {
	re   *regexp.Regexp
	prog *syntax.Prog
	// class maps each ASCII byte to its equivalence class: bytes no instruction or
	// assertion tells apart share transitions, which keeps states small.
	class   [128]uint8
	classes int

	mu      sync.Mutex
	states  map[string]*state // by seeds and context
	start   *state
	gaveUp  atomic.Bool // the state budget is spent: use re
	scratch closure     // reused by build, under mu
}

// state is a set of program positions waiting for the next input byte, with what the
// previous byte was (for ^, $ and \b).
type state struct {
	seeds   []uint32
	context context
	next    []atomic.Pointer[state] // by class of the next byte; nil until built
	// atEnd caches whether the input may end here with a match: 0 unknown, 1 yes, 2 no.
	atEnd atomic.Uint32
}

// matched is the state after a byte that completes a match: the answer is known.
var matched = &state{}

// context is what the empty-width assertions need to know about the previous byte.
type context uint8

const (
	atStart context = iota
	afterNewline
	afterWord
	afterOther
)

// representative is a rune with the context's properties, for syntax.EmptyOpContext.
var representative = [...]rune{atStart: -1, afterNewline: '\n', afterWord: 'a', afterOther: ' '}

func contextOf(c byte) context {
	switch {
	case c == '\n':
		return afterNewline
	case syntax.IsWordChar(rune(c)):
		return afterWord
	default:
		return afterOther
	}
}

// New compiles expr for MatchString. re must be regexp.Compile(expr), which callers
// usually have already (and need for captures).
func New(expr string, re *regexp.Regexp) (*Matcher, error) {
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, err
	}
	m := &Matcher{re: re, prog: prog, states: map[string]*state{}}
	m.classes = byteClasses(prog, &m.class)
	m.scratch = newClosure(len(prog.Inst))
	m.mu.Lock()
	m.start = m.stateFor([]uint32{uint32(prog.Start)}, atStart)
	m.mu.Unlock()
	return m, nil
}

// MatchString reports whether s contains a match.
func (m *Matcher) MatchString(s string) bool {
	if m.gaveUp.Load() {
		return m.re.MatchString(s)
	}
	st := m.start
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return m.re.MatchString(s) // runes beyond ASCII: not modelled
		}
		next := st.next[m.class[c]].Load()
		if next == nil {
			if next = m.build(st, c); next == nil {
				return m.re.MatchString(s)
			}
		}
		if next == matched {
			return true
		}
		st = next
	}
	switch st.atEnd.Load() {
	case 1:
		return true
	case 2:
		return false
	}
	return m.endMatches(st)
}

// build computes and stores the transition of st on byte c. It returns nil when the state
// budget is spent.
func (m *Matcher) build(st *state, c byte) *state {
	m.mu.Lock()
	defer m.mu.Unlock()
	cls := m.class[c]
	if next := st.next[cls].Load(); next != nil {
		return next
	}
	if m.gaveUp.Load() {
		return nil
	}
	flags := syntax.EmptyOpContext(representative[st.context], rune(c))
	cl := &m.scratch
	if cl.expand(m.prog, st.seeds, flags) {
		st.next[cls].Store(matched)
		return matched
	}
	var seeds []uint32
	for _, pc := range cl.list {
		inst := &m.prog.Inst[pc]
		switch inst.Op {
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			if inst.MatchRune(rune(c)) {
				seeds = append(seeds, inst.Out)
			}
		}
	}
	// Unanchored search: a match may also start after this byte.
	seeds = append(seeds, uint32(m.prog.Start))
	slices.Sort(seeds)
	seeds = slices.Compact(seeds)
	next := m.stateFor(seeds, contextOf(c))
	if next == nil {
		return nil
	}
	st.next[cls].Store(next)
	return next
}

// endMatches reports whether the input may end in st with a match, and caches it.
func (m *Matcher) endMatches(st *state) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	flags := syntax.EmptyOpContext(representative[st.context], -1)
	ok := m.scratch.expand(m.prog, st.seeds, flags)
	if ok {
		st.atEnd.Store(1)
	} else {
		st.atEnd.Store(2)
	}
	return ok
}

// stateFor returns the state of seeds and context, creating it within the budget; nil when
// the budget is spent. Called with mu held.
func (m *Matcher) stateFor(seeds []uint32, ctx context) *state {
	key := stateKey(seeds, ctx)
	if st, ok := m.states[key]; ok {
		return st
	}
	if len(m.states) >= MaxStates {
		m.gaveUp.Store(true)
		return nil
	}
	st := &state{seeds: seeds, context: ctx, next: make([]atomic.Pointer[state], m.classes)}
	m.states[key] = st
	return st
}

// byteClasses groups the ASCII bytes that every rune instruction, and the context they
// leave (newline, word character), treats alike, and returns the number of classes.
func byteClasses(prog *syntax.Prog, class *[128]uint8) int {
	var runeInsts []*syntax.Inst
	for i := range prog.Inst {
		switch prog.Inst[i].Op {
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			runeInsts = append(runeInsts, &prog.Inst[i])
		}
	}
	// A byte's signature: its context, then which rune instructions accept it.
	signatures := make([][]uint64, 128)
	for c := range 128 {
		sig := make([]uint64, 1+(len(runeInsts)+63)/64)
		sig[0] = uint64(contextOf(byte(c)))
		for i, inst := range runeInsts {
			if inst.MatchRune(rune(c)) {
				sig[1+i/64] |= 1 << (i % 64)
			}
		}
		signatures[c] = sig
	}
	n := 0
	for c := range 128 {
		class[c] = uint8(n)
		for d := range c {
			if slices.Equal(signatures[c], signatures[d]) {
				class[c] = class[d]
				break
			}
		}
		if class[c] == uint8(n) {
			n++
		}
	}
	return n
}

func stateKey(seeds []uint32, ctx context) string {
	b := make([]byte, 0, 1+4*len(seeds))
	b = append(b, byte(ctx))
	b = append(b, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(seeds))), 4*len(seeds))...)
	return string(b)
}

// States reports how many states exist, for tests and tuning.
func (m *Matcher) States() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.states)
}

// closure is the epsilon closure of a set of program positions: every position reachable
// without consuming input, given which empty-width assertions hold here.
type closure struct {
	seen  []uint32 // generation per instruction: seen[pc] == gen means visited
	gen   uint32
	list  []uint32 // visited positions that consume input, in visit order
	stack []uint32
}

func newClosure(n int) closure { return closure{seen: make([]uint32, n)} }

// expand computes the closure of seeds under flags into c.list. It reports whether a
// match instruction is reachable (then the list is incomplete and not needed).
func (c *closure) expand(prog *syntax.Prog, seeds []uint32, flags syntax.EmptyOp) bool {
	c.gen++
	if c.gen == 0 { // wrapped: clear the marks
		clear(c.seen)
		c.gen = 1
	}
	c.list = c.list[:0]
	c.stack = append(c.stack[:0], seeds...)
	for len(c.stack) > 0 {
		pc := c.stack[len(c.stack)-1]
		c.stack = c.stack[:len(c.stack)-1]
		if c.seen[pc] == c.gen {
			continue
		}
		c.seen[pc] = c.gen
		inst := &prog.Inst[pc]
		switch inst.Op {
		case syntax.InstMatch:
			return true
		case syntax.InstFail:
		case syntax.InstAlt, syntax.InstAltMatch:
			c.stack = append(c.stack, inst.Arg, inst.Out)
		case syntax.InstCapture, syntax.InstNop:
			c.stack = append(c.stack, inst.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(inst.Arg)&^flags == 0 {
				c.stack = append(c.stack, inst.Out)
			}
		default: // rune instructions wait for input
			c.list = append(c.list, pc)
		}
	}
	return false
}
