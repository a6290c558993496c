package lab

import (
	"context"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	RunHelperIfAsked()
	os.Exit(m.Run())
}

// TestStandardLabServesAndCleansUp builds the lab, checks what each host answers on the
// ports that matter, closes it and checks that no namespace or process is left behind.
func TestStandardLabServesAndCleansUp(t *testing.T) {
	if os.Getenv("RAMPART_SKIP_NETNS") == "1" {
		t.Skip("RAMPART_SKIP_NETNS=1")
	}
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755) // postgres runs as its own user and must reach its directory
	l, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	l.Logf = t.Logf
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := BuildStandard(ctx, l); err != nil {
		l.Close()
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			l.Close()
		}
	})
	dial := func(h *Host, port uint16) error {
		conn, err := net.DialTimeout("tcp", netip.AddrPortFrom(h.Addr, port).String(), 300*time.Millisecond)
		if err == nil {
			conn.Close()
		}
		return err
	}
	if err := dial(l.Host(HostFiltered), 22); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("filtered host port 22: %v, want a timeout (dropped)", err)
	}
	if err := dial(l.Host(HostFiltered), 81); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("filtered host port 81: %v, want refused", err)
	}
	if err := dial(l.Host(HostClosed), 80); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("closed host port 80: %v, want refused", err)
	}
	want := map[string][]uint16{HostWeak: {22, 80, 443, 6379}, HostHardened: {22, 80, 443, 6379}, HostDB: {5432, SilentPort}, HostFiltered: {80, 8080}}
	for name, ports := range want {
		got := l.Host(name).Open
		if len(got) != len(ports) {
			t.Errorf("%s open %v, want %v", name, got, ports)
		}
	}

	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true
	out, _ := exec.Command("ip", "netns", "list").Output()
	if strings.Contains(string(out), "rampart-lab-"+l.ID) {
		t.Errorf("namespaces left behind:\n%s", out)
	}
}
