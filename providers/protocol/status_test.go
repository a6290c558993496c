package protocol

import (
	"reflect"
	"testing"
)

// TestStatusRoundTrip checks that everything `rampart status` shows survives the wire:
// a field added to Status but not to encodeStatus/decodeStatus would be lost silently.
func TestStatusRoundTrip(t *testing.T) {
	in := Status{
		Health:     "healthy",
		Address:    "127.0.0.1:1080",
		Detail:     "pid 42",
		Components: []Component{{Name: "pool app: 10.0.0.5:8080", Health: "DOWN", Detail: "L7STS HTTP status check returned code <500>"}},
		Facts:      []Fact{{Name: "unique IPs (60m)", Value: "1204"}, {Name: "active agents (60m)", Value: "87"}},
	}
	got := decodeStatus(encodeStatus(in))
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("status changed on the wire:\n got %+v\nwant %+v", got, in)
	}
}
