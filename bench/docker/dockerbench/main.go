// Command dockerbench runs the side-by-side benchmark of `make bench-docker` (issue 4):
// for N = 10, 50 and 200 WAF containers it times, through the real CLI, `rampart apply
// -auto-approve -parallelism=P`, a no-change `rampart plan -detailed-exitcode` (which must
// exit 0) and `rampart destroy -auto-approve -parallelism=P`; and, in the same run, a
// direct Docker API client loop doing the same work (the floor): create+start the same
// containers with P at a time, list and inspect all N, stop and remove them. Both run
// -rounds times per N, taking turns to go first, and the medians are compared. It prints a
// table with the ratios and the targets, and writes bench/results/docker.json
// (DESIGN §8).
//
// Everything it creates on the shared engine carries the run id in its name and a label
// (rampart's lineage, or rampart.bench-docker=<run id> for the floor), and only that is
// removed, also after a failure or an interrupt.
//
// bench/docker/run.sh builds the binaries and runs this program; run it by hand only with
// the flags run.sh passes.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		opts  options
		out   = flag.String("out", "bench/results/docker.json", "result rows, written after a complete run")
		sizes = flag.String("sizes", "10,50,200", "comma-separated numbers of WAF containers")
	)
	flag.StringVar(&opts.binDir, "bin-dir", "", "directory with rampart, rampart-provider-docker and rampart-waf (required)")
	flag.StringVar(&opts.workDir, "work-dir", "", "directory for the working directories, logs and profiles (required)")
	flag.StringVar(&opts.dockerHost, "docker-host", "unix:///var/run/docker.sock", "Docker engine (the provider's default)")
	flag.IntVar(&opts.parallelism, "parallelism", 10, "rampart -parallelism, and the floor's concurrent API calls")
	flag.IntVar(&opts.basePort, "base-port", 17000, "instance i publishes 127.0.0.1:base-port+i; max(sizes)+1 ports are used")
	flag.IntVar(&opts.planRepeats, "plan-repeats", 5, "no-change plans per N, system and round (the median is reported)")
	flag.IntVar(&opts.rounds, "rounds", 4, "rounds of both systems per N, taking turns to go first (the median over the rounds is reported)")
	flag.BoolVar(&opts.profile, "profile", false, "write a CPU profile of one more rampart plan at the largest N into -work-dir")
	flag.BoolVar(&opts.apiTrace, "api-trace", false, "send both systems through a proxy that counts and times the Docker API calls of each operation (diagnosis; the figures are not the benchmark's)")
	flag.Parse()
	opts.stopTimeout = 10 // the provider's defaultStopTimeout
	opts.healthWait = 30 * time.Second
	opts.log = os.Stderr

	var err error
	if opts.sizes, err = parseSizes(*sizes); err != nil {
		fmt.Fprintln(os.Stderr, "dockerbench: -sizes:", err)
		return 2
	}
	if opts.binDir == "" || opts.workDir == "" {
		fmt.Fprintln(os.Stderr, "dockerbench: -bin-dir and -work-dir are required (run bash bench/docker/run.sh)")
		return 2
	}
	if opts.parallelism < 1 || opts.planRepeats < 1 || opts.rounds < 1 || opts.basePort < 1024 {
		fmt.Fprintln(os.Stderr, "dockerbench: -parallelism, -plan-repeats and -rounds must be at least 1, -base-port at least 1024")
		return 2
	}
	opts.runID = newRunID()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(os.Stderr, "bench-docker: run %s, N = %s, %d rounds, parallelism %d, ports from %d\n", opts.runID, *sizes, opts.rounds, opts.parallelism, opts.basePort)
	ms, err := runBench(ctx, opts)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "dockerbench: interrupted; this run's containers and networks were removed")
		}
		fmt.Fprintln(os.Stderr, "dockerbench:", err)
		fmt.Fprintln(os.Stderr, "dockerbench: logs are in", opts.workDir+"/logs")
		return 1
	}

	fmt.Println()
	printTable(os.Stdout, ms)
	if opts.apiTrace {
		fmt.Println("\n-api-trace: timings include the proxy's hop; results not written")
		return 0
	}
	if err := writeResults(*out, rows(ms)); err != nil {
		fmt.Fprintln(os.Stderr, "dockerbench:", err)
		return 1
	}
	fmt.Println("\nwrote", *out)
	return 0
}

// parseSizes reads "10,50,200".
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 10000 {
			return nil, fmt.Errorf("%q is not a number of containers between 1 and 10000", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// newRunID names this run: short, lower-case hex, valid in HCL names, container and
// network names.
func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
