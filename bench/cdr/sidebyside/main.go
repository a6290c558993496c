// Command sidebyside runs the side-by-side benchmark of `make bench-cdr` (issue 7): it
// generates three captures (a 1-million-packet SYN scan, the same scan VXLAN-wrapped as AWS
// Traffic Mirroring delivers it, and concurrent bulk downloads), has `rampart-cdr replay`
// (every detection on) and Suricata 7 (single-threaded, nine rules) read each one, and
// compares packets and bytes per second of CPU time. It then sends the VXLAN scan as UDP
// datagrams over loopback to a running rampart-cdr at a fixed rate and reads from its
// /status how many arrived. It prints a table and writes bench/results/cdr.json (DESIGN §8).
//
// bench/cdr/run.sh downloads and unpacks Suricata, builds rampart-cdr and runs this
// program; run it by hand only with the flags the script passes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/synth"
)

// options are the command-line settings.
type options struct {
	workDir      string
	cdrBin       string
	suricataRoot string
	out          string
	systems      []string
	repeat       int
	scanPackets  int
	bulkBytes    int64
	udpRate      int
	udpPackets   int
	udpSenders   int
	udpGSO       bool
	profileDir   string
}

var allSystems = []string{systemRampart, systemSuricata}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench-cdr: ")
	os.Exit(run())
}

func run() int {
	var o options
	systems := flag.String("systems", strings.Join(allSystems, ","), "comma-separated systems to run")
	flag.StringVar(&o.workDir, "work-dir", "", "directory for the captures, configurations and logs (required)")
	flag.StringVar(&o.cdrBin, "cdr-bin", "bin/rampart-cdr", "the rampart-cdr binary")
	flag.StringVar(&o.suricataRoot, "suricata-root", "", "where the script unpacked Suricata's packages (required for suricata)")
	flag.StringVar(&o.out, "out", "bench/results/cdr.json", "result rows, written after a complete run")
	flag.IntVar(&o.repeat, "repeat", 3, "runs per system and capture; the median counts")
	flag.IntVar(&o.scanPackets, "scan-packets", 1_000_000, "packets in the scan captures")
	flag.Int64Var(&o.bulkBytes, "bulk-bytes", 128<<20, "bytes downloaded in the bulk capture")
	flag.IntVar(&o.udpRate, "udp-rate", 450_000, "datagrams per second sent to rampart-cdr's VXLAN port; 0 skips the UDP ingest")
	flag.IntVar(&o.udpPackets, "udp-packets", 0, "datagrams sent (default: the scan's packet count)")
	flag.IntVar(&o.udpSenders, "udp-senders", 1, "sending sockets and goroutines, each at udp-rate/udp-senders (more than one needs spare cores)")
	flag.BoolVar(&o.udpGSO, "udp-gso", true, "send with UDP segmentation offload (64 datagrams per send, padded to one size), so one loopback sender can offer the rate")
	flag.StringVar(&o.profileDir, "profile-dir", "", "also write CPU profiles of rampart-cdr's VXLAN replay and UDP ingest (run in this process) into this directory")
	flag.Parse()
	o.systems = strings.Split(*systems, ",")
	if err := o.check(); err != nil {
		log.Print(err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := bench(ctx, o); err != nil {
		log.Print(err)
		log.Print("captures, configurations and logs are in ", o.workDir)
		return 1
	}
	return 0
}

func (o *options) check() error {
	for _, s := range o.systems {
		if !slices.Contains(allSystems, s) {
			return fmt.Errorf("-systems: %q is not one of %s", s, strings.Join(allSystems, ", "))
		}
	}
	if o.workDir == "" {
		return errors.New("-work-dir is required (run bash bench/cdr/run.sh)")
	}
	if slices.Contains(o.systems, systemSuricata) && o.suricataRoot == "" {
		return errors.New("suricata needs -suricata-root (run bash bench/cdr/run.sh, which unpacks it)")
	}
	if o.repeat < 1 || o.scanPackets < 1 || o.bulkBytes < bulkSegment*bulkFlows || o.udpRate < 0 || o.udpPackets < 0 || o.udpSenders < 1 {
		return errors.New("-repeat and -scan-packets must be at least 1, -bulk-bytes at least 8 segments, -udp-rate and -udp-packets not negative, -udp-senders at least 1")
	}
	if o.udpPackets == 0 {
		o.udpPackets = o.scanPackets
	}
	return nil
}

func bench(ctx context.Context, o options) error {
	var systems []replayer
	for _, name := range o.systems {
		switch name {
		case systemRampart:
			if _, err := os.Stat(o.cdrBin); err != nil {
				return fmt.Errorf("no rampart-cdr binary at %s: run make build, or pass -cdr-bin", o.cdrBin)
			}
			systems = append(systems, &rampartReplay{bin: o.cdrBin, workDir: o.workDir})
		case systemSuricata:
			s := &suricata{root: o.suricataRoot, workDir: o.workDir}
			if err := s.check(); err != nil {
				return err
			}
			systems = append(systems, s)
		}
	}

	start := time.Now()
	captures, err := generateCaptures(filepath.Join(o.workDir, "pcaps"), o.scanPackets, o.bulkBytes)
	if err != nil {
		return err
	}
	startup, err := generateStartupCapture(filepath.Join(o.workDir, "pcaps"))
	if err != nil {
		return err
	}
	for _, c := range captures {
		log.Printf("generated %s: %d packets, %.1f MB", c.Path, c.Packets, float64(c.Bytes)/1e6)
	}
	log.Printf("captures took %s; load before the runs: %s (other work on the cores skews the figures)", time.Since(start).Round(time.Second), loadAverage())

	replays, err := measureReplays(ctx, systems, captures, startup, o.repeat)
	if err != nil {
		return err
	}

	var ingest *ingestResult
	var payloads [][]byte
	if o.udpRate > 0 && slices.Contains(o.systems, systemRampart) {
		if payloads, err = vxlanScanPayloads(o.udpPackets); err != nil {
			return err
		}
		if o.udpGSO {
			var size int
			size, payloads = padForGSO(payloads)
			log.Printf("UDP segmentation offload: datagrams padded to %d bytes (Ethernet padding after the inner packet)", size)
		}
		log.Printf("sending %d VXLAN datagrams to rampart-cdr at %d/s over loopback", len(payloads), o.udpRate)
		r, err := measureIngest(ctx, o.cdrBin, o.workDir, payloads, o.udpRate, o.udpSenders, o.udpGSO)
		if err != nil {
			return fmt.Errorf("UDP ingest: %w", err)
		}
		ingest = &r
	}
	if o.profileDir != "" {
		if err := writeProfiles(ctx, o.profileDir, captures[1], payloads, o.udpRate); err != nil {
			return err
		}
		log.Printf("wrote CPU profiles into %s (go tool pprof -top %s/replay-vxlan.pprof)", o.profileDir, o.profileDir)
	}

	fmt.Println()
	printTable(os.Stdout, replays, ingest)
	fmt.Println("\ntargets (issue 7):")
	printVerdicts(os.Stdout, verdicts(replays, ingest))
	fmt.Printf("\nload after the runs: %s (2 cores; figures are CPU time, but a busy machine still slows caches)\n", loadAverage())
	if err := writeResults(o.out, rows(replays, ingest)); err != nil {
		return err
	}
	fmt.Println("\nwrote", o.out)
	return nil
}

// generateStartupCapture writes a pcap of one packet: a system's run over it costs its
// start-up alone. (Suricata refuses a capture without packets.)
func generateStartupCapture(dir string) (capture, error) {
	sink, err := createPcapSink(dir, "startup")
	if err != nil {
		return capture{}, err
	}
	if err := writeScan(sink.write, 1); err != nil {
		_, _ = sink.close()
		return capture{}, err
	}
	return sink.close()
}

// vxlanScanPayloads is the scan as the UDP datagrams AWS Traffic Mirroring sends: VXLAN
// header and inner frame, n of them.
func vxlanScanPayloads(n int) ([][]byte, error) {
	payloads := make([][]byte, 0, n)
	err := writeScan(func(_ time.Time, frame []byte) error {
		payloads = append(payloads, synth.VXLANPayload(mirrorVNI, frame))
		return nil
	}, n)
	return payloads, err
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}
