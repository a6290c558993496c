// Command gatewaybench runs the side-by-side gateway benchmark of `make bench-gateway`
// (issue 5) on loopback: rampart-gateway against Squid (Debian's squid-openssl),
// configured alike, one at a time. Rows:
//
//  1. MiB/s of a 50 MB download over a CONNECT tunnel (TLS end to end to the origin);
//  2. requests/s of 100-byte requests over keep-alive tunnels, many clients;
//  3. cache-hit requests/s of a 1 MB object over plain HTTP and over interception
//     (CONNECT to the cache port / Squid's ssl-bump port, TLS terminated with the run's CA);
//  4. peak RSS and open descriptors holding 3,000 tunnels (CONNECT + TLS + one request
//     each, kept open), on a fresh process of each.
//
// It starts the origin (in this process) and both proxies itself, prints a table and
// the ratios against the target, and writes bench/results/gateway.json
// (DESIGN §8). bench/gateway/run.sh installs Squid, builds the binaries and runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rampart-sec/rampart/bench/benchproc"
	"github.com/rampart-sec/rampart/internal/freeport"
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		r       = runner{procs: &benchproc.Set{DropEnv: "GATEWAY_", Grace: 10 * time.Second}}
		out     = flag.String("out", "bench/results/gateway.json", "result rows, written after a complete run")
		systems = flag.String("systems", strings.Join(allSystems, ","), "comma-separated systems to run")
	)
	flag.StringVar(&r.workDir, "work-dir", "", "directory for configs and logs (required)")
	flag.StringVar(&r.gatewayBin, "gateway-bin", "bin/rampart-gateway", "the rampart-gateway binary")
	flag.StringVar(&r.squidBin, "squid-bin", "/usr/sbin/squid", "Squid (Debian package squid-openssl)")
	flag.StringVar(&r.certgenBin, "certgen-bin", "/usr/lib/squid/security_file_certgen", "Squid's certificate generator helper")
	flag.DurationVar(&r.window.Length, "duration", 10*time.Second, "measured window per throughput row")
	flag.DurationVar(&r.window.WarmUp, "warmup", 2*time.Second, "load before each window (connections and handshakes)")
	flag.IntVar(&r.clients.Download, "download-clients", 1, "clients of the 50 MB download row")
	flag.IntVar(&r.clients.Small, "small-clients", 64, "clients of the 100-byte row")
	flag.IntVar(&r.clients.Cache, "cache-clients", 16, "clients of each cache-hit row")
	flag.IntVar(&r.capacity, "connections", 3000, "tunnels held open in the capacity row")
	flag.Parse()

	selected := strings.Split(*systems, ",")
	if err := checkFlags(&r, selected); err != nil {
		fmt.Fprintln(os.Stderr, "gatewaybench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	ms, err := r.runAll(ctx, selected)
	r.procs.StopAll()
	if r.origin != nil {
		r.origin.close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatewaybench:", err)
		fmt.Fprintln(os.Stderr, "gatewaybench: logs and configs are in", r.workDir)
		return 1
	}

	fmt.Println()
	printTable(os.Stdout, ms)
	if cs := compare(ms); len(cs) > 0 {
		fmt.Println("\nrampart-gateway against Squid (issue 5 target: ≥ 3× throughput on every row, less memory):")
		printComparisons(os.Stdout, cs)
	}
	if busy := maxOtherLoad(ms); busy > 0.1 {
		fmt.Printf("\nnote: other processes used up to %.2f cores during the measurements: figures are indicative only.\n", busy)
	}
	if err := writeResults(*out, rows(ms)); err != nil {
		fmt.Fprintln(os.Stderr, "gatewaybench:", err)
		return 1
	}
	fmt.Println("\nwrote", *out)
	return 0
}

func checkFlags(r *runner, selected []string) error {
	for _, s := range selected {
		if !slices.Contains(allSystems, s) {
			return fmt.Errorf("-systems: %q is not one of %s", s, strings.Join(allSystems, ", "))
		}
	}
	if r.workDir == "" {
		return errors.New("-work-dir is required (run bash bench/gateway/run.sh)")
	}
	if r.window.Length < time.Second || r.window.WarmUp < 0 {
		return errors.New("-duration must be at least 1s and -warmup not negative")
	}
	if r.clients.Download < 1 || r.clients.Small < 1 || r.clients.Cache < 1 || r.capacity < 1 {
		return errors.New("client and connection counts must be at least 1")
	}
	return nil
}

// runAll sets up the PKI, ports and origin, then measures each selected system: the
// throughput rows on one process, the capacity row on a fresh one.
func (r *runner) runAll(ctx context.Context, selected []string) ([]measurement, error) {
	if err := raiseOpenFileLimit(2*r.capacity + 1024); err != nil {
		return nil, err
	}
	pki, err := newPKI()
	if err != nil {
		return nil, err
	}
	files, err := pki.write(r.workDir)
	if err != nil {
		return nil, err
	}
	ports := make([]int, 5)
	for i := range ports {
		if ports[i], err = freeport.Find(); err != nil {
			return nil, fmt.Errorf("pick a loopback port: %w", err)
		}
	}
	r.setup = setup{
		OriginHTTPPort: ports[0], OriginTLSPort: ports[1],
		ProxyPort: ports[2], CachePort: ports[3], AdminPort: ports[4],
		Files: files, PKI: pki,
		CacheMiB: defaultCacheMiB, MaxObjectMiB: defaultMaxObjectMiB, MaxFDs: defaultMaxFDs,
	}
	r.origin, err = startOrigin(loopback(r.setup.OriginHTTPPort), loopback(r.setup.OriginTLSPort), pki.origin)
	if err != nil {
		return nil, err
	}
	logf("load before the run: %s (other work on the cores skews the figures)", loadAverage())

	var ms []measurement
	for _, system := range selected {
		got, err := r.runSystem(ctx, system)
		if err != nil {
			return nil, err
		}
		ms = append(ms, got...)
	}
	for _, system := range selected {
		m, err := r.runCapacityRow(ctx, system)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// raiseOpenFileLimit lifts this process's open-file limit to its hard limit (the proxies
// inherit it): the capacity row holds two descriptors per connection here (client and
// origin side) and two in the proxy.
func raiseOpenFileLimit(need int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("read the open-file limit: %w", err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("raise the open-file limit: %w", err)
	}
	if lim.Cur < uint64(need) {
		return fmt.Errorf("the open-file hard limit is %d; the capacity row needs %d: raise it (ulimit -Hn, or run as root) or lower -connections", lim.Cur, need)
	}
	return nil
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func maxOtherLoad(ms []measurement) float64 {
	busy := 0.0
	for _, m := range ms {
		busy = max(busy, m.Load.OtherLoad)
	}
	return busy
}
