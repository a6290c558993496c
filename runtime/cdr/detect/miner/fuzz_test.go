package miner

import "testing"

// FuzzPayload feeds arbitrary segments at arbitrary offsets: the inspector must never
// panic, and a report always names the flow it was given.
func FuzzPayload(f *testing.F) {
	f.Add([]byte(`{"id": 1, "method": "mining.subscribe", "params": []}`), int64(0), true)
	f.Add([]byte("\x7fELF\x02\x01donate.v2.xmrig.com"), int64(0), false)
	f.Add([]byte("MZThis program cannot be run in DOS mode"), int64(16380), false)
	f.Add([]byte{}, int64(-5), true)
	in := New(Config{Signatures: mustBundled(f), ProtocolBytes: 64, BinaryBytes: 256, MaxFlows: 4})
	f.Fuzz(func(t *testing.T, data []byte, offset int64, fromClient bool) {
		if r, ok := in.Payload(key, fromClient, offset, data, t0); ok && r.Key != key {
			t.Fatalf("report for %v, want %v", r.Key, key)
		}
	})
}

func mustBundled(f *testing.F) []Signature {
	sigs, err := LoadSignatures("")
	if err != nil {
		f.Fatal(err)
	}
	return sigs
}
