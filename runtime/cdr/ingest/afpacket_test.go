package ingest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// inNamespace runs fn on a thread switched into the named network namespace. Sockets
// keep the namespace they were created in, so what fn opens stays there.
func inNamespace(t *testing.T, name string, fn func()) {
	t.Helper()
	target, err := os.Open("/var/run/netns/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread dies with its namespace change
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			t.Errorf("setns: %v", err)
			return
		}
		fn()
	}()
	<-done
}

// A live interface delivers the frames sent on its veth peer, in a namespace the test made.
func TestInterfaceReadsFrames(t *testing.T) {
	if os.Getenv("RAMPART_SKIP_NETNS") == "1" {
		t.Skip("RAMPART_SKIP_NETNS=1")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test creates a network namespace and an AF_PACKET socket: run it as root (or set RAMPART_SKIP_NETNS=1)")
	}
	ns := fmt.Sprintf("rcdr-ingest-%d", os.Getpid())
	for _, args := range [][]string{
		{"netns", "add", ns},
		{"-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"-n", ns, "link", "set", "v0", "up"},
		{"-n", ns, "link", "set", "v1", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			exec.Command("ip", "netns", "del", ns).Run()
			t.Fatalf("ip %v: %v\n%s (needs iproute2: apt-get install -y iproute2)", args, err, out)
		}
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })

	frame := append(bytes.Repeat([]byte{0xff}, 6), 0x02, 0, 0, 0, 0, 9, 0x88, 0xb5) // local experimental EtherType
	frame = append(frame, []byte("rampart-cdr afpacket test")...)
	var in *Interface
	var sendErr error
	inNamespace(t, ns, func() {
		var err error
		if in, err = OpenInterface("v0", 8); err != nil {
			t.Errorf("open: %v", err)
			return
		}
		peer, err := net.InterfaceByName("v1")
		if err != nil {
			t.Errorf("v1: %v", err)
			return
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, 0)
		if err != nil {
			t.Errorf("sender socket: %v", err)
			return
		}
		defer unix.Close(fd)
		for range 3 {
			if sendErr = unix.Sendto(fd, frame, 0, &unix.SockaddrLinklayer{Ifindex: peer.Index, Halen: 6}); sendErr != nil {
				return
			}
		}
	})
	if in == nil || sendErr != nil {
		t.Fatalf("setup failed (send: %v)", sendErr)
	}
	defer in.Close()
	got := 0
	deadline := time.Now().Add(5 * time.Second)
	for got < 3 && time.Now().Before(deadline) {
		b, err := in.Read()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range b.Frames {
			if bytes.Equal(f, frame) {
				got++
			}
		}
	}
	if got != 3 {
		t.Fatalf("read %d of the 3 frames sent on the peer", got)
	}
}
