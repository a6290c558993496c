package capacity

import (
	"fmt"
	"strings"
)

// Capacity is how much scanning this process does at once, and why.
type Capacity struct {
	Limits Limits `json:"limits"`
	// InFlight is the most probes waiting for an answer, all hosts together (SYN scan).
	InFlight int `json:"in_flight"`
	// ConnectInFlight is the same for connect scans, whose probes cost a socket and several
	// system calls each: beyond it, probes only wait for a CPU to open them.
	ConnectInFlight int `json:"connect_in_flight"`
	// ParallelHosts is the most hosts scanned (and fingerprinted) at once.
	ParallelHosts int `json:"parallel_hosts"`
	// Reason explains the figures in one line, for /status and the start-up log.
	Reason string `json:"reason"`
}

// The cost model. A connect probe holds a goroutine (≈8 KiB of stack), a socket (kernel
// memory the cgroup is charged for, ≈4 KiB) and bookkeeping; 32 KiB each leaves room to
// spare. Half of memory goes to probes; the rest is the Go heap: results, fingerprinting
// buffers (a host being fingerprinted costs up to ≈2 MiB: TLS handshakes, HTTP bodies).
// A CPU completes roughly 8,192 probes per timeout interval on loopback-speed networks;
// more in flight only queues in the scheduler. A connect probe costs about 25 µs of one CPU,
// nearly all in the kernel (socket, connect with its route and conntrack work, close;
// measured with perf on the bench lab), so a CPU opens about 40,000 a second: 2,048 in
// flight keep it busy at the 50 ms minimum probe timeout, and a filtered host, where every
// probe waits out its timeout, is scanned as fast as the CPU allows. Swap is reported but
// not spent: a scanner whose probe state swaps out measures swap latency, not the network.
const (
	bytesPerProbe    = 32 << 10
	bytesPerHost     = 2 << 20
	probesPerCPU     = 8192
	connectsPerCPU   = 2048
	hostsPerCPU      = 16
	memoryShare      = 0.5
	minInFlight      = 64
	maxInFlight      = 16384
	minParallelHosts = 1
	maxParallelHosts = 256
	reservedFiles    = 128 // admin API, logs, data files, fingerprinting connections
)

// Derive computes the capacity for l.
func Derive(l Limits) Capacity {
	probeMemory := float64(l.MemoryBytes) * memoryShare
	byMemory := int(probeMemory / bytesPerProbe)
	byCPU := int(l.CPUs * probesPerCPU)
	inFlight, why := byMemory, "memory"
	if byCPU < inFlight {
		inFlight, why = byCPU, "CPU"
	}
	if l.OpenFiles > 0 {
		if byFiles := int(l.OpenFiles) - reservedFiles; byFiles < inFlight {
			inFlight, why = byFiles, "open-files limit"
		}
	}
	inFlight = clamp(inFlight, minInFlight, maxInFlight)
	connectInFlight := clamp(min(inFlight, int(l.CPUs*connectsPerCPU)), minInFlight, maxInFlight)

	hostsByMemory := int(float64(l.MemoryBytes) * (1 - memoryShare) / bytesPerHost)
	hostsByCPU := int(l.CPUs * hostsPerCPU)
	parallel, hostWhy := hostsByMemory, "memory"
	if hostsByCPU < parallel {
		parallel, hostWhy = hostsByCPU, "CPU"
	}
	parallel = clamp(parallel, minParallelHosts, maxParallelHosts)

	return Capacity{
		Limits:          l,
		InFlight:        inFlight,
		ConnectInFlight: connectInFlight,
		ParallelHosts:   parallel,
		Reason: fmt.Sprintf("scanning capacity: %d probes in flight (bound by %s; %d for connect scans), %d hosts in parallel (bound by %s); limits: memory %s [%s], swap %s [%s], %.2f CPUs [%s], %d open files",
			inFlight, why, connectInFlight, parallel, hostWhy,
			bytesText(l.MemoryBytes), l.MemorySource, bytesText(l.SwapBytes), l.SwapSource, l.CPUs, l.CPUSource, l.OpenFiles),
	}
}

// Override applies operator-set figures (0 keeps the derived one) and says so in Reason.
func (c Capacity) Override(inFlight, parallelHosts int) Capacity {
	var notes []string
	if inFlight > 0 {
		c.InFlight = inFlight
		c.ConnectInFlight = inFlight
		notes = append(notes, fmt.Sprintf("in_flight %d", inFlight))
	}
	if parallelHosts > 0 {
		c.ParallelHosts = parallelHosts
		notes = append(notes, fmt.Sprintf("parallel_hosts %d", parallelHosts))
	}
	if len(notes) > 0 {
		c.Reason += "; overridden by limits: " + strings.Join(notes, ", ")
	}
	return c
}

func clamp(v, low, high int) int { return min(max(v, low), high) }

func bytesText(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%d MiB", b>>20)
	}
	return fmt.Sprintf("%d B", b)
}
