package main

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	out := `goos: linux
BenchmarkPlan1000/refresh-2         	       5	 812345678 ns/op	        12.5 ms/engine	 1234 B/op	      56 allocs/op
BenchmarkProxy/system=nginx/get-2   	     100	    200000 ns/op
PASS
`
	rows, err := parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{"Plan1000/refresh", "rampart", "ms_per_op", 812.345678, "ms"},
		{"Plan1000/refresh", "rampart", "ms_per_engine", 12.5, "ms/engine"},
		{"Plan1000/refresh", "rampart", "bytes_per_op", 1234, "B"},
		{"Plan1000/refresh", "rampart", "allocs_per_op", 56, "allocs"},
		{"Proxy/get", "nginx", "ms_per_op", 0.2, "ms"},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}
