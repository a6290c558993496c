package plugin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// stderrTail keeps the last lines a plugin wrote to stderr, so that when the plugin dies
// the crash diagnostic can show what it said last (usually a panic or a fatal error).
// A plugin has two stderr streams (its raw file descriptor 2, and os.Stderr that go-plugin
// forwards over gRPC); each gets its own writer so partial lines never mix.
type stderrTail struct {
	mu    sync.Mutex
	lines []string // ring buffer of complete lines
	next  int      // index in lines of the next line to overwrite once full
	full  bool
}

const (
	stderrTailLines   = 10
	stderrTailLineMax = 512 // longer lines are cut: enough to read a panic message
)

func newStderrTail(lines int) *stderrTail {
	return &stderrTail{lines: make([]string, lines)}
}

func (t *stderrTail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines[t.next] = line
	t.next = (t.next + 1) % len(t.lines)
	if t.next == 0 {
		t.full = true
	}
}

// Lines returns the kept lines, oldest first.
func (t *stderrTail) Lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.full {
		return append([]string(nil), t.lines[:t.next]...)
	}
	out := make([]string, 0, len(t.lines))
	out = append(out, t.lines[t.next:]...)
	return append(out, t.lines[:t.next]...)
}

// writer returns an io.Writer that splits what it receives into lines for the tail.
func (t *stderrTail) writer() *tailWriter {
	return &tailWriter{tail: t}
}

// tailWriter assembles lines from arbitrary writes. It is used by one goroutine at a time
// (go-plugin copies each stream from a single goroutine).
type tailWriter struct {
	tail    *stderrTail
	partial []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = appendCapped(w.partial, p)
			break
		}
		w.partial = appendCapped(w.partial, p[:i])
		line := readableLine(bytes.TrimRight(w.partial, "\r"))
		if line != "" {
			w.tail.add(line)
		}
		w.partial = w.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

func appendCapped(dst, src []byte) []byte {
	if room := stderrTailLineMax - len(dst); len(src) > room {
		src = src[:max(room, 0)]
	}
	return append(dst, src...)
}

// readableLine turns a JSON log line of hclog (what providers/sdk plugins write) into the
// text a person expects in an error message, "[ERROR] message: key=value"; other lines
// are returned as they are.
func readableLine(line []byte) string {
	if len(line) == 0 || line[0] != '{' {
		return string(line)
	}
	var entry map[string]any
	if err := json.Unmarshal(line, &entry); err != nil {
		return string(line)
	}
	level, _ := entry["@level"].(string)
	message, _ := entry["@message"].(string)
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s", strings.ToUpper(level), message)
	keys := make([]string, 0, len(entry))
	for k := range entry {
		if !strings.HasPrefix(k, "@") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		sep := " "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%s=%v", sep, k, entry[k])
	}
	return b.String()
}
