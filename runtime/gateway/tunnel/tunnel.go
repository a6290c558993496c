// Package tunnel relays bytes between a client and a destination (a CONNECT tunnel) with
// bounded memory: a direction takes a 32 KiB buffer from a shared pool only once its
// socket has bytes to read, and gives it back right after writing them on, so thousands
// of idle tunnels hold no buffers at all (two goroutine stacks each), unlike a buffer (or
// a splice pipe pair) per direction. A tunnel with no traffic for the idle timeout is
// closed; once one side has finished sending, the other gets the half-closed timeout to
// finish too.
//
// Files: tunnel.go is the relay, read_unix.go reads a socket into a pooled buffer only
// when bytes are there (one read system call per message), read_other.go the fallback.
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
	shared := &tunnelState{timeouts: t}
	shared.activity.Store(time.Now().UnixNano())
	var res Result
	done := make(chan struct{})
	go func() {
		res.ServerToClient = newDirection(client, server, shared).run()
		close(done)
	}()
	res.ClientToServer = newDirection(server, client, shared).run()
	<-done
	client.Close()
	server.Close()
	return res
}

// tunnelState is what the two directions of a tunnel share.
type tunnelState struct {
	timeouts   Timeouts
	activity   atomic.Int64 // unix nanoseconds of the last transfer in either direction
	halfClosed atomic.Bool  // one direction has ended
}

// readDeadline is when a read with no traffic in either direction gives up.
func (s *tunnelState) readDeadline(halfClosed bool) time.Time {
	limit := s.timeouts.Idle
	if halfClosed && s.timeouts.HalfClosed < limit {
		limit = s.timeouts.HalfClosed
	}
	return time.Unix(0, s.activity.Load()).Add(limit)
}

func (s *tunnelState) expired() bool {
	return !time.Now().Before(s.readDeadline(s.halfClosed.Load()))
}

// direction copies one side's bytes to the other.
type direction struct {
	dst, src net.Conn
	read     func() (*[]byte, int, error) // src's next bytes in a pooled buffer (nil when none)
	shared   *tunnelState
	// writeDeadline is dst's current write deadline. Setting a deadline costs a timer
	// update, so it is moved only when it has come closer than 7/8 of the idle timeout: a
	// write that makes no progress fails after between 7/8 and all of the idle timeout.
	writeDeadline time.Time
}

func newDirection(dst, src net.Conn, shared *tunnelState) *direction {
	return &direction{dst: dst, src: src, read: newReader(src), shared: shared}
}

// run copies src to dst until src ends, then half-closes dst so the other side learns
// that no more bytes come. It returns the number of bytes copied.
//
// The read deadline is not moved on every read (that would be a timer update per
// message): it stays at "last activity + idle timeout" and, when it fires, the direction
// checks whether the tunnel really was idle, since traffic in the other direction counts
// too, and if not sets the next one.
func (d *direction) run() int64 {
	var total int64
	if d.setReadDeadline() != nil {
		return d.finish(total)
	}
	for {
		buf, n, err := d.read()
		if n > 0 {
			werr := d.write((*buf)[:n])
			buffers.Put(buf)
			total += int64(n)
			if werr != nil {
				break
			}
		}
		if err != nil {
			if isTimeout(err) && !d.shared.expired() && d.setReadDeadline() == nil {
				continue // the other direction was busy: this tunnel is not idle
			}
			break
		}
	}
	return d.finish(total)
}

// write sends p on, recording the activity.
func (d *direction) write(p []byte) error {
	now := time.Now()
	d.shared.activity.Store(now.UnixNano())
	idle := d.shared.timeouts.Idle
	if d.writeDeadline.Sub(now) < idle-idle/8 {
		d.writeDeadline = now.Add(idle)
		d.dst.SetWriteDeadline(d.writeDeadline)
	}
	_, err := d.dst.Write(p)
	return err
}

// setReadDeadline sets src's read deadline from the last activity. If the other direction
// ends meanwhile (it then shortens this deadline to the half-closed timeout), the deadline
// is computed again so that the shorter one is not overwritten.
func (d *direction) setReadDeadline() error {
	for {
		halfClosed := d.shared.halfClosed.Load()
		if err := d.src.SetReadDeadline(d.shared.readDeadline(halfClosed)); err != nil {
			return err
		}
		if d.shared.halfClosed.Load() == halfClosed {
			return nil
		}
	}
}

// finish half-closes dst after src ended, or ends the tunnel when both directions are done.
func (d *direction) finish(total int64) int64 {
	if !d.shared.halfClosed.Swap(true) {
		closeWrite(d.dst)
		// The other direction may be blocked with a long deadline: shorten it.
		d.dst.SetReadDeadline(time.Now().Add(d.shared.timeouts.HalfClosed))
	} else {
		// Both directions are done.
		d.dst.SetReadDeadline(time.Now())
	}
	return total
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

// connReader reads c with a plain Read, for connections that are not sockets (TLS or
// otherwise wrapped): the buffer is taken before the Read and so held while it blocks.
func connReader(c net.Conn) func() (*[]byte, int, error) {
	return func() (*[]byte, int, error) {
		buf := buffers.Get().(*[]byte)
		n, err := c.Read(*buf)
		if n == 0 {
			buffers.Put(buf)
			return nil, 0, err
		}
		return buf, n, err
	}
}
