package inspect

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU adds a cpu-µs/op metric: the process's user and system CPU time per
// iteration, garbage collection included. On a shared machine it is steadier than ns/op,
// which counts time spent waiting for a core.
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((processCPU()-start).Microseconds())/float64(b.N), "cpu-µs/op")
		}
	}
}

func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
