package waf

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync/atomic"
)

// requestIDs makes ids unique across restarts (a random prefix per process) and cheap per
// request (a counter): "5f1c9a2e7b3d0c44-1a".
type requestIDs struct {
	prefix  string
	counter atomic.Uint64
}

func newRequestIDs() (*requestIDs, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("request id prefix: %w", err)
	}
	return &requestIDs{prefix: hex.EncodeToString(b[:]) + "-"}, nil
}

func (g *requestIDs) next() string {
	var buf [48]byte
	id := append(buf[:0], g.prefix...)
	id = strconv.AppendUint(id, g.counter.Add(1), 16)
	return string(id)
}
