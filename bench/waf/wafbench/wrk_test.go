package main

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

const wrkSample = `Running 12s test @ http://127.0.0.1:18081/api/orders
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   307.21ms  152.10ms   1.16s    71.43%
    Req/Sec    10.50      6.21    30.00     64.29%
  Latency Distribution
     50%  290.00ms
     75%  400.00ms
     90%  510.00ms
     99%    1.16s
  252 requests in 12.01s, 38.89KB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:     20.98
Transfer/sec:      3.24KB
`

func TestParseWrk(t *testing.T) {
	got, err := parseWrk(wrkSample)
	if err != nil {
		t.Fatal(err)
	}
	want := wrkResult{Requests: 252, RPS: 20.98, P99: 1160 * time.Millisecond, Non2xx: 7, SocketErrors: 3}
	if got != want {
		t.Errorf("parseWrk = %+v, want %+v", got, want)
	}
}

func TestParseWrkRejectsOutputWithoutLatencyDistribution(t *testing.T) {
	out := strings.ReplaceAll(wrkSample, "     99%    1.16s\n", "")
	if _, err := parseWrk(out); err == nil || !strings.Contains(err.Error(), "--latency") {
		t.Errorf("err = %v, want one naming --latency", err)
	}
}

func TestParseWrkDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"812.00us", 812 * time.Microsecond, true},
		{"8.03ms", 8030 * time.Microsecond, true},
		{"1.16s", 1160 * time.Millisecond, true},
		{"1.50m", 90 * time.Second, true},
		{"12", 0, false},
		{"fast", 0, false},
	}
	for _, tt := range tests {
		got, err := parseWrkDuration(tt.in)
		if (err == nil) != tt.ok || got.Round(time.Microsecond) != tt.want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v (ok=%v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestWrkArgsAreBoundedAndSendHostLocalhost(t *testing.T) {
	l := load{Duration: 12 * time.Second, Connections: 16, Threads: 2}
	args := wrkArgs(l, wrkCase{Name: "json-post-2k", Path: postPath, Script: "/tmp/x.lua"}, "http://127.0.0.1:18081")
	for _, want := range [][]string{{"-d", "12s"}, {"-c", "16"}, {"-t", "2"}, {"-H", "Host: localhost"}, {"-s", "/tmp/x.lua"}} {
		i := slices.Index(args, want[0])
		if i < 0 || i+1 >= len(args) || args[i+1] != want[1] {
			t.Errorf("args %q lack %s %s", args, want[0], want[1])
		}
	}
	if !slices.Contains(args, "--latency") {
		t.Errorf("args %q lack --latency (needed for p99)", args)
	}
	if last := args[len(args)-1]; last != "http://127.0.0.1:18081"+postPath {
		t.Errorf("URL = %q", last)
	}
}

func TestWritePostScriptPostsTheBodyFromItsFile(t *testing.T) {
	dir := t.TempDir()
	body := jsonPostBody()
	script, err := writePostScript(dir, body)
	if err != nil {
		t.Fatal(err)
	}
	lua, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`wrk.method = "POST"`, `"Content-Type"] = "application/json"`, dir + "/json-post-2k.json"} {
		if !strings.Contains(string(lua), want) {
			t.Errorf("script lacks %q:\n%s", want, lua)
		}
	}
	written, err := os.ReadFile(dir + "/json-post-2k.json")
	if err != nil || string(written) != string(body) {
		t.Errorf("body file = %d bytes (%v), want the %d-byte payload", len(written), err, len(body))
	}
}
