//go:build unix

package tunnel

import (
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRelay measures bulk tunnel throughput over loopback (a download).
func BenchmarkRelay(b *testing.B) {
	client, server, _ := relayed(b, Timeouts{Idle: time.Minute, HalfClosed: time.Minute})
	chunk := make([]byte, BufferSize)
	go func() {
		buf := make([]byte, BufferSize)
		for {
			if _, err := server.Read(buf); err != nil {
				return
			}
		}
	}()
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := client.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start, "cpu-µs/MiB", float64(b.N)*BufferSize/(1<<20))
	client.Close()
}

// BenchmarkPingPong measures small request/answer round trips (100 bytes each way), the
// pattern of many small requests over keep-alive tunnels. "direct" is the same exchange
// without a relay: the difference between the two is what the relay costs per round trip.
// cpu-µs/rtt is the CPU time of the whole test process (both ends included) per round trip.
func BenchmarkPingPong(b *testing.B) {
	b.Run("direct", func(b *testing.B) {
		client, server := pair(b)
		pingPong(b, client, server)
	})
	b.Run("relay", func(b *testing.B) {
		client, server, _ := relayed(b, Timeouts{Idle: time.Minute, HalfClosed: time.Minute})
		pingPong(b, client, server)
	})
}

func pingPong(b *testing.B, client, server net.Conn) {
	const size = 100
	go func() {
		buf := make([]byte, size)
		for {
			if _, err := io.ReadFull(server, buf); err != nil {
				return
			}
			if _, err := server.Write(buf); err != nil {
				return
			}
		}
	}()
	msg := make([]byte, size)
	answer := make([]byte, size)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := client.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(client, answer); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start, "cpu-µs/rtt", float64(b.N))
	client.Close()
}

// cpuTime is the CPU time (user + system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration, unit string, units float64) {
	if units > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(time.Microsecond)/units, unit)
	}
}
