package proxy

import (
	"bufio"
	"errors"
	"io"
)

// MaxHeadBytes bounds a request head (request line and header fields).
const MaxHeadBytes = 64 << 10

var errHeadTooLarge = &HeadError{"request head too large"}

// readHead reads one request head, up to and including its empty line, into buf (reused
// across requests of a connection). io.EOF before the first byte means the client closed
// the connection between requests.
func readHead(br *bufio.Reader, buf []byte) ([]byte, error) {
	buf = buf[:0]
	for {
		line, err := br.ReadSlice('\n')
		if len(buf)+len(line) > MaxHeadBytes {
			return nil, errHeadTooLarge
		}
		buf = append(buf, line...)
		switch {
		case err == nil:
			if len(line) <= 2 && (len(line) == 1 || line[0] == '\r') {
				if len(buf) == len(line) {
					// Tolerate an empty line before a request (RFC 9112 §2.2).
					buf = buf[:0]
					continue
				}
				return buf, nil
			}
		case errors.Is(err, bufio.ErrBufferFull):
			// A line longer than the reader's buffer: keep reading it.
		case errors.Is(err, io.EOF) && len(buf) > 0:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}
