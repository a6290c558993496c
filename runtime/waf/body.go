package waf

import (
	"bytes"
	"io"
	"net/http"

	"github.com/valyala/bytebufferpool"
)

// bufferBody reads up to limit bytes of r's body into buf for inspection and replaces
// r.Body so that the upstream still receives the whole body. complete is false when the
// body is longer than limit (buf then holds only its start).
func bufferBody(r *http.Request, buf *bytebufferpool.ByteBuffer, limit int) (complete bool, err error) {
	if r.Body == nil || r.Body == http.NoBody {
		return true, nil
	}
	buf.Reset()
	original := r.Body
	_, err = buf.ReadFrom(io.LimitReader(original, int64(limit)+1))
	if err != nil {
		return false, err
	}
	complete = len(buf.B) <= limit
	r.Body = replayedBody{Reader: io.MultiReader(bytes.NewReader(buf.B), original), Closer: original}
	if !complete {
		buf.B = buf.B[:limit]
	}
	return complete, nil
}

// replayedBody serves the buffered start of a body, then the rest from the connection.
type replayedBody struct {
	io.Reader
	io.Closer
}
