// Command wafbench runs the side-by-side WAF benchmark of `make bench-waf` (issue 3) on
// loopback: the backend alone, rampart-waf with rules off, rampart-waf with CRS v4 PL1
// blocking, and nginx + ModSecurity 3 with the same CRS v4 rules, one system at a time,
// each driven by wrk with two requests. It prints a table and the two ratios the issue
// targets, and writes bench/results/waf.json (DESIGN §8).
//
// bench/waf/run.sh installs wrk and nginx, builds the binaries, extracts the rules and
// runs this program; run it by hand only with the flags run.sh passes.
package main

import (
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
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		r       runner
		out     = flag.String("out", "bench/results/waf.json", "result rows, written after a complete run")
		systems = flag.String("systems", strings.Join(allSystems, ","), "comma-separated systems to run")
		base    = flag.Int("base-port", 18080, "first of 4 consecutive loopback ports: backend, rampart-waf, its admin API, nginx")
	)
	flag.StringVar(&r.workDir, "work-dir", "", "directory for configs, logs and wrk output (required)")
	flag.StringVar(&r.backendBin, "backend-bin", "", "the bench/waf/backend binary (required)")
	flag.StringVar(&r.wafBin, "waf-bin", "bin/rampart-waf", "the rampart-waf binary (make build)")
	flag.StringVar(&r.wrkBin, "wrk-bin", "wrk", "wrk")
	flag.StringVar(&r.nginxBin, "nginx-bin", "/usr/sbin/nginx", "nginx")
	flag.StringVar(&r.nginx.ModulePath, "modsecurity-module", "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so", "nginx's ModSecurity module")
	flag.StringVar(&r.nginx.UnicodeMapping, "unicode-mapping", "", "ModSecurity's unicode.mapping (required for nginx-modsecurity)")
	flag.StringVar(&r.nginx.CRSDir, "crs-dir", "", "CRS v4 written by bench/waf/crsdump (required for nginx-modsecurity)")
	flag.DurationVar(&r.window.Length, "duration", 10*time.Second, "measured window per case (wrk runs 2 s longer)")
	flag.IntVar(&r.load.Connections, "connections", 16, "wrk connections")
	flag.IntVar(&r.load.Threads, "threads", 2, "wrk threads")
	flag.Parse()
	r.window.WarmUp, r.window.Tail = time.Second, time.Second
	r.ports = portsFrom(*base)

	selected := strings.Split(*systems, ",")
	if err := checkFlags(&r, selected); err != nil {
		fmt.Fprintln(os.Stderr, "wafbench:", err)
		return 2
	}

	r.procs = &benchproc.Set{DropEnv: "WAF_"}
	interrupted := make(chan struct{})
	r.interrupted = interrupted
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		close(interrupted)
	}()
	ms, err := r.runAll(selected)
	r.procs.StopAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wafbench:", err)
		fmt.Fprintln(os.Stderr, "wafbench: logs and configs are in", r.workDir)
		return 1
	}

	fmt.Println()
	printTable(os.Stdout, ms)
	fmt.Println("\nratios (issue 3 targets):")
	printRatios(os.Stdout, ratios(ms))
	if busy := maxOtherLoad(ms); busy > 0.1 {
		fmt.Printf("\nnote: other processes used up to %.2f cores during the measurements: figures are indicative only.\n", busy)
	}
	if err := writeResults(*out, rows(ms)); err != nil {
		fmt.Fprintln(os.Stderr, "wafbench:", err)
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
	if r.workDir == "" || r.backendBin == "" {
		return errors.New("-work-dir and -backend-bin are required (run bash bench/waf/run.sh)")
	}
	if slices.Contains(selected, systemNginx) && (r.nginx.UnicodeMapping == "" || r.nginx.CRSDir == "") {
		return errors.New("nginx-modsecurity needs -unicode-mapping and -crs-dir (run bash bench/waf/run.sh)")
	}
	if r.window.Length < time.Second || r.load.Connections < 1 || r.load.Threads < 1 || r.load.Threads > r.load.Connections {
		return errors.New("-duration must be at least 1s, and 1 ≤ -threads ≤ -connections")
	}
	return nil
}

func maxOtherLoad(ms []measurement) float64 {
	busy := 0.0
	for _, m := range ms {
		busy = max(busy, m.OtherLoad)
	}
	return busy
}
