package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"text/template"
	"time"
)

//go:embed suricata.rules
var suricataRules []byte

//go:embed suricata.yaml.tmpl
var suricataConfigTemplate string

// suricata runs Suricata 7 unpacked by run.sh (never installed): its binary, its libraries
// through LD_LIBRARY_PATH, and its classification and reference files.
type suricata struct {
	root    string // where run.sh unpacked the packages (usr/bin/suricata, etc/suricata)
	workDir string // configuration, rules and one log directory per run
	runs    int
}

const systemSuricata = "suricata"

func (s *suricata) name() string { return systemSuricata }

func (s *suricata) binary() string { return filepath.Join(s.root, "usr/bin/suricata") }

// env is this process's environment with the unpacked libraries first in the search path.
func (s *suricata) env() []string {
	libs := filepath.Join(s.root, "usr/lib/x86_64-linux-gnu")
	if prev := os.Getenv("LD_LIBRARY_PATH"); prev != "" {
		libs += ":" + prev
	}
	return append(os.Environ(), "LD_LIBRARY_PATH="+libs)
}

// check fails with what to do when run.sh has not unpacked Suricata into root.
func (s *suricata) check() error {
	if _, err := os.Stat(s.binary()); err != nil {
		return fmt.Errorf("no Suricata at %s: run bash bench/cdr/run.sh, which downloads and unpacks it (or pass -suricata-root)", s.binary())
	}
	return nil
}

// replay runs Suricata single-threaded over the capture, in a fresh log directory, and
// returns its CPU time, the packets it says it read and the alerts it raised.
func (s *suricata) replay(ctx context.Context, c capture) (systemRun, error) {
	s.runs++
	dir := filepath.Join(s.workDir, "suricata", fmt.Sprintf("%s-%d", c.Case, s.runs))
	configPath, err := s.writeConfig(dir)
	if err != nil {
		return systemRun{}, err
	}
	run, err := runTimed(ctx, 5*time.Minute, s.env(), filepath.Join(dir, "stderr.log"), s.binary(),
		"-c", configPath, "--runmode", "single", "-k", "none", "-r", c.Path, "-l", dir)
	if err != nil {
		return systemRun{}, fmt.Errorf("suricata on %s: %w (its log: %s)", c.Path, err, filepath.Join(dir, "suricata.log"))
	}
	log, err := os.ReadFile(filepath.Join(dir, "suricata.log"))
	if err != nil {
		return systemRun{}, fmt.Errorf("suricata's log: %w", err)
	}
	packets, ok := suricataPacketsRead(log)
	if !ok {
		return systemRun{}, fmt.Errorf("suricata's log %s does not say how many packets it read", filepath.Join(dir, "suricata.log"))
	}
	alerts, err := countLines(filepath.Join(dir, "eve.json"), []byte(`"event_type":"alert"`))
	if err != nil {
		return systemRun{}, err
	}
	return systemRun{CPU: run.CPU, Wall: run.Wall, Packets: packets, Detections: alerts}, nil
}

// writeConfig writes suricata.yaml, the rules and an empty threshold file into dir.
func (s *suricata) writeConfig(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("suricata run directory: %w", err)
	}
	tmpl, err := template.New("suricata.yaml").Parse(suricataConfigTemplate)
	if err != nil {
		return "", fmt.Errorf("suricata.yaml template: %w", err)
	}
	var config bytes.Buffer
	err = tmpl.Execute(&config, map[string]string{
		"LogDir":        dir,
		"ShareDir":      filepath.Join(s.root, "etc/suricata"),
		"ThresholdFile": filepath.Join(dir, "threshold.config"),
		"RuleDir":       dir,
	})
	if err != nil {
		return "", fmt.Errorf("suricata.yaml template: %w", err)
	}
	configPath := filepath.Join(dir, "suricata.yaml")
	for path, data := range map[string][]byte{
		configPath:                             config.Bytes(),
		filepath.Join(dir, "suricata.rules"):   suricataRules,
		filepath.Join(dir, "threshold.config"): nil,
	} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return "", fmt.Errorf("suricata configuration: %w", err)
		}
	}
	return configPath, nil
}

// suricataReadLine is Suricata's summary of a pcap file read:
// "pcap: read 1 file, 1000000 packets, 54000000 bytes".
var suricataReadLine = regexp.MustCompile(`read \d+ files?, (\d+) packets, \d+ bytes`)

// suricataPacketsRead finds how many packets Suricata's log says it read.
func suricataPacketsRead(log []byte) (int, bool) {
	m := suricataReadLine.FindSubmatch(log)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(m[1]))
	return n, err == nil
}

// countLines counts the lines of a file that contain substr; a missing file has none.
func countLines(path string, substr []byte) (int, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("count lines: %w", err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if bytes.Contains(sc.Bytes(), substr) {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("read %s: %w", path, err)
	}
	return n, nil
}
