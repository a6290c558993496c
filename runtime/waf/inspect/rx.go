package inspect

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/corazawaf/coraza/v3/experimental/plugins"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	"rsc.io/binaryregexp"

	"github.com/rampart-sec/rampart/runtime/waf/inspect/dfa"
)

// The @rx operator is where the Core Rule Set spends most of its time: for every argument,
// header and cookie, hundreds of expressions run, and Go's regexp package simulates an
// NFA over the largest of them (alternations of thousands of characters) at microseconds
// per short value. rampart replaces Coraza's @rx with the same semantics answered by a
// lazily built DFA (package dfa); only a match, which benign traffic rarely produces,
// runs the regexp package to extract the capture groups the rule asks for.
func init() {
	plugins.RegisterOperator("rx", newRX)
}

// rx is the @rx operator: RE2 syntax, with (?s) and (?m) on as in Coraza's default build,
// so rules behave exactly as under Coraza's own operator.
type rx struct {
	re      *regexp.Regexp
	matcher *dfa.Matcher
}

// maxCaptures is how many groups (the whole match and 8 more) fill TX.0-TX.8, as in
// ModSecurity and Coraza.
const maxCaptures = 9

func newRX(options plugintypes.OperatorOptions) (plugintypes.Operator, error) {
	expr := "(?sm)" + options.Arguments
	if matchesArbitraryBytes(expr) {
		return newBinaryRX(expr, options.Memoizer)
	}
	compiled, err := memoize(options.Memoizer, "rampart-rx:"+expr, func() (any, error) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, err
		}
		m, err := dfa.New(expr, re)
		if err != nil {
			return nil, err
		}
		return &rx{re: re, matcher: m}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("@rx %q: %w", options.Arguments, err)
	}
	return compiled.(*rx), nil
}

func (o *rx) Evaluate(tx plugintypes.TransactionState, value string) bool {
	if !o.matcher.MatchString(value) {
		return false
	}
	if !tx.Capturing() {
		return true
	}
	match := o.re.FindStringSubmatchIndex(value)
	if match == nil {
		return false // cannot happen: the automaton and the package agree
	}
	for i := 0; i < len(match)/2 && i < maxCaptures; i++ {
		if match[2*i] >= 0 {
			tx.CaptureField(i, value[match[2*i]:match[2*i+1]])
		} else {
			tx.CaptureField(i, "")
		}
	}
	return true
}

// binaryRX matches expressions that name bytes which are not UTF-8 (\xff): they are bytes,
// not runes, so the byte-oriented binaryregexp package runs them, as in Coraza.
type binaryRX struct {
	re *binaryregexp.Regexp
}

func newBinaryRX(expr string, m plugintypes.Memoizer) (plugintypes.Operator, error) {
	re, err := memoize(m, "rampart-binary-rx:"+expr, func() (any, error) { return binaryregexp.Compile(expr) })
	if err != nil {
		return nil, fmt.Errorf("@rx %q: %w", expr, err)
	}
	return &binaryRX{re: re.(*binaryregexp.Regexp)}, nil
}

func (o *binaryRX) Evaluate(tx plugintypes.TransactionState, value string) bool {
	if !tx.Capturing() {
		return o.re.MatchString(value)
	}
	match := o.re.FindStringSubmatch(value)
	if len(match) == 0 {
		return false
	}
	for i := 0; i < len(match) && i < maxCaptures; i++ {
		tx.CaptureField(i, match[i])
	}
	return true
}

// memoize shares compiled expressions between engines (Coraza releases an engine's
// entries when the engine is closed).
func memoize(m plugintypes.Memoizer, key string, fn func() (any, error)) (any, error) {
	if m == nil {
		return fn()
	}
	return m.Do(key, fn)
}

// matchesArbitraryBytes reports whether expr's \xNN escapes spell bytes that are not valid
// UTF-8, which only a byte-oriented engine matches as meant.
func matchesArbitraryBytes(expr string) bool {
	decoded := make([]byte, 0, len(expr))
	for i := 0; i < len(expr); i++ {
		if expr[i] != '\\' || i+1 >= len(expr) || expr[i+1] != 'x' {
			decoded = append(decoded, expr[i])
			continue
		}
		hex, width := "", 0
		switch {
		case i+2 < len(expr) && expr[i+2] == '{':
			end := i + 3
			for end < len(expr) && expr[end] != '}' {
				end++
			}
			if end >= len(expr) {
				decoded = append(decoded, expr[i])
				continue
			}
			hex, width = expr[i+3:end], end-i+1
		case i+3 < len(expr):
			hex, width = expr[i+2:i+4], 4
		default:
			decoded = append(decoded, expr[i])
			continue
		}
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || v > 0xff {
			decoded = append(decoded, expr[i]) // a rune, not a byte
			continue
		}
		decoded = append(decoded, byte(v))
		i += width - 1
	}
	return !utf8.Valid(decoded)
}
