package flow

import (
	"errors"
	"io"
	"testing"

	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/pcapfile"
)

// The real AWS mirror capture holds 4 SSH flows and 16 DNS messages (its README):
// the table must see exactly those, inside VNI 5569041.
func TestAWSMirrorCaptureFlows(t *testing.T) {
	r, err := pcapfile.Open("../../../../shared/data/pcaps/aws-mirror-vxlan.pcap")
	if err != nil {
		t.Fatalf("%v: the shared captures live in /work/shared/data/pcaps", err)
	}
	defer r.Close()
	rec := &recorder{}
	table := NewTable(Options{}, rec)
	dec := decode.Decoder{VXLANPort: decode.DefaultVXLANPort}
	var p decode.Packet
	for {
		frame, ts, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if st := dec.Frame(r.LinkType(), frame, &p); st != decode.Complete || p.VNI != 5569041 {
			t.Fatalf("frame decoded %v with VNI %d", st, p.VNI)
		}
		table.Packet(&p, ts)
	}
	table.Flush()
	ssh, queries, responses := 0, 0, 0
	for _, e := range rec.ends {
		if e.Proto == decode.ProtoTCP && e.Server.Port == 22 {
			ssh++
		}
	}
	for _, d := range rec.dns {
		if d.Response {
			responses++
		} else {
			queries++
		}
	}
	// 16 DNS messages: 8 queries (PTR and A, from the SSH server's reverse lookups), each answered.
	if ssh != 4 || queries != 8 || responses != 8 {
		t.Fatalf("%d SSH flows, %d DNS queries and %d responses; want 4, 8 and 8", ssh, queries, responses)
	}
}
