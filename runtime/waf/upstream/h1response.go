package upstream

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// max1xxResponses is how many informational responses a member may send before its final
// response, as in http.Transport.
const max1xxResponses = 5

// readResponse reads the member's response to r from in. Informational responses (100,
// 103) are passed to the client as httputil.ReverseProxy does, keeping the headers the
// WAF already set for the final response; a 101 is an error, since the lean path never
// asks for an upgrade.
func readResponse(in *bufio.Reader, w http.ResponseWriter, r *http.Request) (*http.Response, error) {
	for range max1xxResponses + 1 {
		resp, err := http.ReadResponse(in, r)
		if err != nil {
			return nil, err
		}
		switch code := resp.StatusCode; {
		case code < 100:
			return nil, fmt.Errorf("malformed HTTP status code %d", code)
		case code == http.StatusSwitchingProtocols:
			return nil, errors.New("the member switched protocols, which the request did not ask for")
		case code < 200:
			forwardInformational(w, resp)
		default:
			return resp, nil
		}
	}
	return nil, errors.New("too many 1xx informational responses")
}

func forwardInformational(w http.ResponseWriter, resp *http.Response) {
	h := w.Header()
	final := h.Clone()
	copyEndToEnd(h, resp.Header)
	w.WriteHeader(resp.StatusCode)
	clear(h)
	for k, v := range final {
		h[k] = v
	}
}

// copyEndToEnd adds the end-to-end headers of from to to (values are added, as
// httputil.ReverseProxy does).
func copyEndToEnd(to, from http.Header) {
	for key, values := range from {
		if endToEnd(from, key) {
			to[key] = append(to[key], values...)
		}
	}
}

// forwardResponse sends resp to the client: headers without the hop-by-hop ones, the
// announced trailers, the body through buf, then the trailers. It returns the error that
// stopped the body (the member's or the client's side); the response is then incomplete
// and the caller must abort it.
//
// Like httputil.ReverseProxy, a response of unknown length or an event stream is flushed
// after every read, so streaming responses reach the client as they come.
func forwardResponse(w http.ResponseWriter, resp *http.Response, buf []byte) error {
	h := w.Header()
	copyEndToEnd(h, resp.Header)
	announced := len(resp.Trailer)
	if announced > 0 {
		keys := make([]string, 0, announced)
		for k := range resp.Trailer {
			keys = append(keys, k)
		}
		h.Add("Trailer", strings.Join(keys, ", "))
	}
	w.WriteHeader(resp.StatusCode)

	var flusher *http.ResponseController
	if resp.ContentLength == -1 || isEventStream(resp.Header.Get("Content-Type")) {
		flusher = http.NewResponseController(w)
		flusher.Flush() // the headers now, even if the first body bytes take a while
	}
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return fmt.Errorf("write response to client: %w", werr)
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read response body from member: %w", err)
		}
	}

	if len(resp.Trailer) == 0 {
		return nil
	}
	// Flushing forces chunked encoding, the only framing that carries trailers.
	http.NewResponseController(w).Flush()
	if len(resp.Trailer) == announced {
		copyEndToEnd(h, resp.Trailer)
		return nil
	}
	for k, vv := range resp.Trailer {
		for _, v := range vv {
			h.Add(http.TrailerPrefix+k, v)
		}
	}
	return nil
}

// isEventStream reports whether a Content-Type is text/event-stream (Server-Sent Events),
// whatever its parameters and case.
func isEventStream(contentType string) bool {
	const sse = "text/event-stream"
	if len(contentType) < len(sse) || !asciiEqualFold(contentType[:len(sse)], sse) {
		return false
	}
	rest := contentType[len(sse):]
	return rest == "" || rest[0] == ';' || rest[0] == ' ' || rest[0] == '\t'
}
