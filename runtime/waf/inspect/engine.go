package inspect

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync"
	"weak"

	"github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/experimental"
)

// CRSVersion is the OWASP Core Rule Set embedded in the binary.
const CRSVersion = "4.25.0"

// engine is one compiled Coraza WAF: the OWASP Core Rule Set under one policy's
// directives. Compiling takes a few hundred milliseconds of CPU and tens of megabytes, so
// sites and reloads with the same directives share one engine (see compile).
type engine struct {
	waf   coraza.WAF
	rules int // compiled rule count, for /status and tests
}

// engines are the live compiled engines by the hash of their directives. Entries are
// weak: an engine no configuration uses any more is collected, and its Coraza caches are
// released by the cleanup registered in compile.
var engines = struct {
	sync.Mutex
	byKey map[[32]byte]weak.Pointer[engine]
}{byKey: map[[32]byte]weak.Pointer[engine]{}}

// compile returns the engine for the directives, compiling them only when no live engine
// has the same text. One compilation runs at a time: a reload that compiles several
// policies should not take every core from the traffic it serves.
func compile(directives string) (*engine, error) {
	key := sha256.Sum256([]byte(directives))
	engines.Lock()
	defer engines.Unlock()
	if e := engines.byKey[key].Value(); e != nil {
		return e, nil
	}
	waf, err := coraza.NewWAF(coraza.NewWAFConfig().
		WithRootFS(coreruleset.FS).
		WithDirectives(directives))
	if err != nil {
		return nil, fmt.Errorf("compile the rule set: %w", err)
	}
	e := &engine{waf: waf}
	if w, ok := waf.(experimental.WAFWithRules); ok {
		e.rules = w.RulesCount()
	}
	engines.byKey[key] = weak.Make(e)
	runtime.AddCleanup(e, release, releaseArgs{waf: waf, key: key})
	return e, nil
}

type releaseArgs struct {
	waf coraza.WAF
	key [32]byte
}

// release frees the Coraza caches of a collected engine and forgets its cache entry
// (unless a newer engine for the same directives already took its place).
func release(a releaseArgs) {
	if c, ok := a.waf.(experimental.WAFCloser); ok {
		c.Close()
	}
	engines.Lock()
	defer engines.Unlock()
	if engines.byKey[a.key].Value() == nil {
		delete(engines.byKey, a.key)
	}
}
