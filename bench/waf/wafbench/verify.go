package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// benchRequest is one of the two requests, as sent once by the harness before wrk runs.
type benchRequest struct {
	Case        string
	Method      string
	Path        string
	ContentType string
	Body        []byte
}

// verifyPasses sends each request once and requires 200: the benchmark compares WAFs
// passing benign traffic, so a blocked request means a rule fired on the payload, and the
// figures would measure the block page. serverLog is searched for the rules that fired.
func verifyPasses(system, baseURL, serverLog string, reqs []benchRequest) error {
	client := &http.Client{Timeout: 30 * time.Second}
	for _, br := range reqs {
		req, err := http.NewRequest(br.Method, baseURL+br.Path, bytes.NewReader(br.Body))
		if err != nil {
			return fmt.Errorf("build %s request: %w", br.Case, err)
		}
		req.Host = benchHost
		if br.ContentType != "" {
			req.Header.Set("Content-Type", br.ContentType)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("%s: %s request: %w", system, br.Case, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %d, not 200, to the benign %s request: a rule fired on it; adjust the payload to benign data that passes PL1 (bench/waf/README.md).\nRule hits in %s:\n%s",
				system, resp.StatusCode, br.Case, serverLog, ruleHits(serverLog))
		}
	}
	return nil
}

// ruleHits returns the log lines that name a rule: ModSecurity's `[id "942100"]` in
// nginx's error log, rampart-waf's JSON security events.
func ruleHits(logPath string) string {
	f, err := os.Open(logPath)
	if err != nil {
		return "  (log unreadable: " + err.Error() + ")"
	}
	defer f.Close()
	var hits []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, `[id "`) || strings.Contains(line, `"rule`) {
			hits = append(hits, "  "+line)
		}
	}
	if len(hits) == 0 {
		return "  (none logged)"
	}
	if len(hits) > 20 {
		hits = hits[len(hits)-20:]
	}
	return strings.Join(hits, "\n")
}

// attackPath is a plain SQL injection that CRS blocks at PL1 (942100, libinjection) and
// so does any rule set worth the name.
const attackPath = "/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--"

// verifyBlocks requires 403 for an obvious attack, so that a WAF whose rules are not
// running is never measured as if it inspected requests.
func verifyBlocks(system, baseURL string) error {
	client := &http.Client{Timeout: 30 * time.Second}
	req, err := http.NewRequest(http.MethodGet, baseURL+attackPath, nil)
	if err != nil {
		return fmt.Errorf("build attack request: %w", err)
	}
	req.Host = benchHost
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: attack request: %w", system, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		return fmt.Errorf("%s answered %d, not 403, to a SQL injection: its rules are not blocking, so it would be measured without inspection", system, resp.StatusCode)
	}
	return nil
}
