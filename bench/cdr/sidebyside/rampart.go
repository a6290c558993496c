package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// rampartReplay runs `rampart-cdr replay` with the built-in defaults: every detection on
// (port scans, coin-miners, beaconing, DGA, DNS tunnelling, indicators), VXLAN to 4789
// unwrapped.
type rampartReplay struct {
	bin     string
	workDir string
	runs    int
}

const systemRampart = "rampart-cdr"

func (r *rampartReplay) name() string { return systemRampart }

func (r *rampartReplay) replay(ctx context.Context, c capture) (systemRun, error) {
	r.runs++
	logPath := filepath.Join(r.workDir, fmt.Sprintf("rampart-cdr-%s-%d.log", c.Case, r.runs))
	run, err := runTimed(ctx, 5*time.Minute, environWithout("CDR_"), logPath, r.bin, "replay", "-quiet", c.Path)
	if err != nil {
		return systemRun{}, fmt.Errorf("rampart-cdr replay %s: %w", c.Path, err)
	}
	s, ok := parseReplaySummary(run.Stdout)
	if !ok {
		return systemRun{}, fmt.Errorf("rampart-cdr replay printed no summary line (%q)", run.Stdout)
	}
	if s.Decoded+s.Truncated != s.Frames {
		return systemRun{}, fmt.Errorf("rampart-cdr decoded %d of %d frames of %s (%d truncated): %s", s.Decoded, s.Frames, c.Path, s.Truncated, run.Stdout)
	}
	return systemRun{CPU: run.CPU, Wall: run.Wall, Packets: s.Frames, Detections: s.Findings}, nil
}

// replaySummary is the last line `rampart-cdr replay` prints per file.
type replaySummary struct {
	Frames, Decoded, Truncated, Findings int
}

// replaySummaryLine matches ReplaySummary.String in runtime/cdr:
// "FILE: 10 frames (0 not IP, 0 malformed, 0 filtered); 10 packets decoded, 0 truncated, 1 findings".
var replaySummaryLine = regexp.MustCompile(`: (\d+) frames \(.*\); (\d+) packets decoded, (\d+) truncated, (\d+) findings`)

func parseReplaySummary(out []byte) (replaySummary, bool) {
	m := replaySummaryLine.FindSubmatch(out)
	if m == nil {
		return replaySummary{}, false
	}
	var n [4]int
	for i := range n {
		v, err := strconv.Atoi(string(m[i+1]))
		if err != nil {
			return replaySummary{}, false
		}
		n[i] = v
	}
	return replaySummary{Frames: n[0], Decoded: n[1], Truncated: n[2], Findings: n[3]}, true
}

// environWithout is this environment without variables of a prefix (CDR_ADMIN_LISTEN
// would override the configuration under test).
func environWithout(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if len(kv) < len(prefix) || kv[:len(prefix)] != prefix {
			env = append(env, kv)
		}
	}
	return env
}
