// Package tunnel relays bytes between a client and a destination (a CONNECT tunnel) with
// bounded memory: a direction takes a 32 KiB buffer from a shared pool only once its side
// has data to read, and gives it back right after writing, so thousands of idle tunnels
// hold no buffers at all (two goroutine stacks each), unlike a buffer (or a splice pipe
// pair) per direction. A tunnel with no traffic for the idle timeout is closed; once one
// side has finished sending, the other gets the half-closed timeout to finish too.
package tunnel

import (
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// BufferSize is the size of the pooled copy buffers.
const BufferSize = 32 << 10

var buffers = sync.Pool{New: func() any { b := make([]byte, BufferSize); return &b }}

// Timeouts of a tunnel.
type Timeouts struct {
	Idle       time.Duration // no traffic in either direction for this long closes the tunnel
	HalfClosed time.Duration // after one side finished sending, the other has this long
}

// Result says how much was relayed.
type Result struct {
	ClientToServer int64
	ServerToClient int64
}

// Relay copies between client and server until both directions end, an error occurs or a
// timeout fires, then closes both connections.
func Relay(client, server net.Conn, t Timeouts) Result {
	var activity atomic.Int64 // unix nanoseconds of the last transfer in either direction
	activity.Store(time.Now().UnixNano())
	var halfClosed atomic.Bool
	var res Result
	done := make(chan struct{})
	go func() {
		res.ServerToClient = pipe(client, server, t, &activity, &halfClosed)
		close(done)
	}()
	res.ClientToServer = pipe(server, client, t, &activity, &halfClosed)
	<-done
	client.Close()
	server.Close()
	return res
}

// pipe copies src to dst until src ends, then half-closes dst so the other side learns
// that no more bytes come.
func pipe(dst, src net.Conn, t Timeouts, activity *atomic.Int64, halfClosed *atomic.Bool) int64 {
	var total int64
	wait := readinessWaiter(src)
	for {
		if err := src.SetReadDeadline(deadline(t, activity, halfClosed)); err != nil {
			break
		}
		if err := wait(); err != nil {
			if isTimeout(err) && !expired(t, activity, halfClosed) {
				continue // the other direction was busy: this tunnel is not idle
			}
			break
		}
		buf := buffers.Get().(*[]byte)
		n, err := src.Read(*buf)
		if n > 0 {
			activity.Store(time.Now().UnixNano())
			dst.SetWriteDeadline(time.Now().Add(t.Idle))
			_, werr := dst.Write((*buf)[:n])
			total += int64(n)
			buffers.Put(buf)
			if werr != nil {
				break
			}
		} else {
			buffers.Put(buf)
		}
		if err != nil {
			if isTimeout(err) && !expired(t, activity, halfClosed) {
				continue
			}
			break
		}
	}
	if !halfClosed.Swap(true) {
		closeWrite(dst)
		// The other direction may be blocked with a long deadline: shorten it.
		dst.SetReadDeadline(time.Now().Add(t.HalfClosed))
	} else {
		// Both directions are done.
		dst.SetReadDeadline(time.Now())
	}
	return total
}

// deadline is when the current read gives up.
func deadline(t Timeouts, activity *atomic.Int64, halfClosed *atomic.Bool) time.Time {
	limit := t.Idle
	if halfClosed.Load() && t.HalfClosed < limit {
		limit = t.HalfClosed
	}
	return time.Unix(0, activity.Load()).Add(limit)
}

func expired(t Timeouts, activity *atomic.Int64, halfClosed *atomic.Bool) bool {
	return !time.Now().Before(deadline(t, activity, halfClosed))
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// closeWrite sends FIN if the connection supports half-closing, else closes it.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}
