//go:build unix

package upstream

import "syscall"

// alive reports whether an idle connection can carry another request. A member closes
// idle keep-alive connections on its own schedule (its idle timeout, a restart); writing a
// request into one that is already closed loses the request. One non-blocking peek tells:
// nothing to read (EAGAIN) means open and quiet; end of stream means closed; data means
// the member sent something nobody asked for, and the connection cannot be trusted to be
// in step any more.
func (c *h1Conn) alive() bool {
	if c.raw == nil {
		return true
	}
	c.peekN, c.peekErr = 0, nil
	if err := c.raw.Read(c.peekFn); err != nil {
		return false
	}
	return c.peekErr == syscall.EAGAIN || c.peekErr == syscall.EWOULDBLOCK
}

// peek runs inside RawConn.Read; returning true means "done, do not wait for input".
func (c *h1Conn) peek(fd uintptr) bool {
	c.peekN, _, c.peekErr = syscall.Recvfrom(int(fd), c.peekBuf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return true
}
