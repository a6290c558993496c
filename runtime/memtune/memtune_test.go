package memtune

import "testing"

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"536870912\n", 536870912, true},
		{"max\n", 0, false},
		{"9223372036854771712\n", 0, false}, // cgroup v1 "unlimited"
		{"", 0, false},
		{"garbage", 0, false},
		{"-1", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseLimit(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseLimit(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestApplyLeavesGOGCToTheUser(t *testing.T) {
	t.Setenv("GOGC", "100")
	t.Setenv("GOMEMLIMIT", "1GiB")
	if s := Apply(); s.GCPercent != -1 || s.MemoryLimit != 0 {
		t.Fatalf("Apply with GOGC and GOMEMLIMIT set = %+v, want nothing changed", s)
	}
}

func TestMemoryLimitFallsBackToHostRAM(t *testing.T) {
	if got := MemoryLimit(); got <= 0 {
		t.Fatalf("MemoryLimit() = %d; want the cgroup limit or the host's RAM", got)
	}
}
