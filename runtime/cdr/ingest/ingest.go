// Package ingest receives traffic for the sensor: VXLAN datagrams on a UDP port (AWS
// Traffic Mirroring's wire format) read in batches with recvmmsg, and the frames of a live
// interface through an AF_PACKET socket. Both reuse their buffers: reading a batch
// allocates nothing.
package ingest

import (
	"time"
)

// ReadTimeout is the longest a Read waits for traffic before returning an empty batch, so
// that the caller keeps advancing time (expiring flows) when the wire is quiet.
const ReadTimeout = 200 * time.Millisecond

// Batch is what one Read returns. Frames and the bytes they point to are reused by the next
// Read.
type Batch struct {
	Frames [][]byte
	Bytes  int // sum of len(Frames[i])
}
