// Command scanbench runs rampart-scanner and nmap side by side on a lab it builds itself
// (runtime/scanner/lab: network namespaces on this machine only) and prints one line per
// measured figure in `go test -bench` form, for bench/report:
//
//	BenchmarkScanner/system=nmap/3-hosts-all-ports-connect 1 1.71 wall_s 28.1 peak_rss_MB ...
//
// Cases follow issue 6: all 65,535 TCP ports on three open hosts (connect: nmap -sT -T4 -n
// -Pn; SYN: nmap -sS), the same on the filtered host, and service detection (nmap -sV) on
// the open ports. For each: wall time, peak RSS, and whether both found the same open ports
// (and services). It must run as root (namespaces, raw sockets). See bench/scanner/run.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/lab"
)

func main() {
	lab.RunHelperIfAsked() // the lab's silent port is this binary, re-executed
	scannerBin := flag.String("scanner-bin", "bin/rampart-scanner", "rampart-scanner binary")
	nmapBin := flag.String("nmap", "nmap", "nmap binary")
	workDir := flag.String("work-dir", "", "directory for the lab's files (required)")
	cases := flag.String("cases", "", "comma-separated subset of: "+strings.Join(caseNames(), ", "))
	flag.Parse()
	if *workDir == "" {
		fmt.Fprintln(os.Stderr, "usage: scanbench -work-dir DIR [-scanner-bin PATH] [-nmap PATH] [-cases a,b]")
		os.Exit(2)
	}
	if err := run(*scannerBin, *nmapBin, *workDir, *cases); err != nil {
		fmt.Fprintln(os.Stderr, "scanbench:", err)
		os.Exit(1)
	}
}

func run(scannerBin, nmapBin, workDir, only string) error {
	os.Chmod(workDir, 0o755) // postgres runs as its own user
	l, err := lab.New(filepath.Join(workDir, "lab"))
	if err != nil {
		return err
	}
	defer l.Close()
	l.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	err = lab.BuildStandard(ctx, l)
	cancel()
	if err != nil {
		return err
	}
	b := &bench{scanner: scannerBin, nmap: nmapBin, lab: l}
	for _, c := range benchCases() {
		if only != "" && !strings.Contains(","+only+",", ","+c.name+",") {
			continue
		}
		fmt.Fprintf(os.Stderr, "case %s\n", c.name)
		if err := b.runCase(c); err != nil {
			return fmt.Errorf("case %s: %w", c.name, err)
		}
	}
	return nil
}
