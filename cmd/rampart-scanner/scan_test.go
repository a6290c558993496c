package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/freeport"
)

func TestScanCommandFindsALoopbackListener(t *testing.T) {
	port := freeport.Port(t)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	var stdout, stderr bytes.Buffer
	code := runScan([]string{"-json", "-mode", "connect", "-Pn", "-services=false", "-ports", fmt.Sprintf("%d-%d", port-5, port+5), "127.0.0.1"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out scanOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	h := out.Summary.Hosts[0]
	if len(h.Open) != 1 || h.Open[0].Port != port || h.Closed != 10 {
		t.Errorf("host = %+v, want only port %d open and 10 closed", h, port)
	}
	if out.Capacity.InFlight == 0 || out.Summary.Mode != "connect" {
		t.Errorf("capacity %+v mode %s", out.Capacity, out.Summary.Mode)
	}
}

func TestScanCommandTeachesOnBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "give at least one target"},
		{[]string{"-ports", "top5", "127.0.0.1"}, "top100, top1000, all"},
		{[]string{"10.0.0.0/8"}, "split it into smaller jobs"},
		{[]string{"-mode", "udp", "127.0.0.1"}, "use auto, connect or syn"},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		if code := runScan(tc.args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: stderr %q lacks %q", tc.args, stderr.String(), tc.want)
		}
	}
}
