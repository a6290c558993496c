package upstream

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// maxBufferedBody is the largest request body read whole before it is forwarded.
const maxBufferedBody = 16 << 10

// bufferSmallBody reads a small request body (a declared Content-Length up to
// maxBufferedBody) into memory before it is proxied. http.Transport sends a body it
// cannot tell is in memory in separate writes after flushing the headers, and copies it
// through a 32 KiB buffer of its own; an in-memory body goes out with the headers in one
// write, which for a typical API request saves a system call to the upstream. It also
// means a slow client never holds an upstream connection while it sends a small body.
//
// Requests with Expect: 100-continue keep streaming, so the upstream still decides whether
// the body is sent.
func bufferSmallBody(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength <= 0 || r.ContentLength > maxBufferedBody || r.Header.Get("Expect") != "" {
		return nil
	}
	// A fresh slice, not a pooled one: the transport may still be reading the body after
	// the response has been proxied (an upstream may answer before reading it).
	data := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(r.Body, data); err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	r.Body = &bufferedBody{Reader: bytes.NewReader(data), data: data}
	return nil
}

// bufferedBody is a request body bufferSmallBody read into memory.
type bufferedBody struct {
	*bytes.Reader
	data []byte
}

func (*bufferedBody) Close() error { return nil }

// outgoingBody is the body a member's proxy sends for the incoming body in: a reader
// http.Transport recognises as in memory when in was buffered (httputil.ReverseProxy
// hides it behind a wrapper of its own), out unchanged otherwise.
func outgoingBody(in, out io.ReadCloser) io.ReadCloser {
	if b, ok := in.(*bufferedBody); ok && out != nil {
		return io.NopCloser(bytes.NewReader(b.data))
	}
	return out
}
