//go:build !unix

package upstream

// alive cannot peek without MSG_PEEK: an idle connection is assumed open, and a request
// that finds it closed is retried on a fresh one when that is safe (see h1Proxy.serve).
func (c *h1Conn) alive() bool { return true }

func (c *h1Conn) peek(uintptr) bool { return true }
