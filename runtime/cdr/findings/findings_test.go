package findings

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
)

var t0 = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

func sample(typ string, at time.Time) Finding {
	f := Finding{Type: typ, Title: "Port scan of 192.168.2.22", Severity: 6, FirstSeen: at, LastSeen: at,
		Source: "192.168.2.154", Destination: "192.168.2.22", VNI: 5569041, Count: 1,
		Evidence: map[string]any{"ports": 10, "sample_ports": []int{21, 22}}}
	f.SetID()
	return f
}

// memorySink records findings; block makes Send wait until released.
type memorySink struct {
	mu    sync.Mutex
	got   []Finding
	block chan struct{}
}

func (m *memorySink) Name() string { return "memory" }
func (m *memorySink) Close() error { return nil }
func (m *memorySink) Send(_ context.Context, f *Finding) error {
	if m.block != nil {
		<-m.block
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, *f)
	return nil
}

func TestSuppressionFoldsRepeats(t *testing.T) {
	sink := &memorySink{}
	p := NewPublisherWithSinks([]Sink{sink}, nil, time.Hour, 0, 16, nil)
	p.Publish(sample(TypePortScan, t0))
	p.Publish(sample(TypePortScan, t0.Add(10*time.Minute)))    // folded
	p.Publish(sample(TypePortScan, t0.Add(20*time.Minute)))    // folded
	p.Publish(sample(TypeAddressScan, t0.Add(20*time.Minute))) // another key
	p.Publish(sample(TypePortScan, t0.Add(61*time.Minute)))    // delivered, carrying 2 repeats
	low := sample(TypeBeacon, t0)
	low.Severity = 1
	p.Publish(low)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if len(sink.got) != 4 {
		t.Fatalf("delivered %d, want 4: %+v", len(sink.got), sink.got)
	}
	if last := sink.got[2]; last.Type != TypePortScan || last.Count != 3 {
		t.Errorf("third delivery %s count %d, want port_scan with count 3", last.Type, last.Count)
	}
	if s := p.Stats(); s.Suppressed != 2 || s.Delivered != 4 {
		t.Errorf("stats %+v", s)
	}
}

func TestPublishNeverBlocks(t *testing.T) {
	sink := &memorySink{block: make(chan struct{})}
	p := NewPublisherWithSinks([]Sink{sink}, nil, 0, 0, 2, nil)
	accepted := 0
	for i := 0; i < 10; i++ { // the worker holds one, the queue two; the rest are dropped
		if p.Publish(sample(TypePortScan, t0.Add(time.Duration(i)*time.Second))) {
			accepted++
		}
	}
	if accepted > 3 || p.Stats().Dropped < 7 {
		t.Errorf("accepted %d, dropped %d: want at most 3 accepted", accepted, p.Stats().Dropped)
	}
	close(sink.block)
	p.Close()
}

func TestJSONLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.jsonl")
	p, err := NewPublisher(&config.Findings{JSONLog: path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Publish(sample(TypePortScan, t0))
	p.Close()
	data, _ := os.ReadFile(path)
	var f Finding
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("log line %q: %v", data, err)
	}
	if f.Source != "192.168.2.154" || f.ID == "" || f.Count != 1 || !f.FirstSeen.Equal(t0) {
		t.Errorf("logged %+v", f)
	}
}

var rfc5424 = regexp.MustCompile(`^<(\d+)>1 (\S+) (\S+) rampart-cdr - (\S+) - (\{.*\})$`)

func checkSyslog(t *testing.T, msg string) {
	t.Helper()
	m := rfc5424.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("not an RFC 5424 message: %q", msg)
	}
	if m[1] != strconv.Itoa(4*8+4) || m[4] != TypePortScan {
		t.Errorf("PRI %s MSGID %s, want 36 and port_scan", m[1], m[4])
	}
	if _, err := time.Parse(time.RFC3339Nano, m[2]); err != nil {
		t.Errorf("timestamp %q: %v", m[2], err)
	}
	var f Finding
	if err := json.Unmarshal([]byte(m[5]), &f); err != nil || f.Type != TypePortScan {
		t.Errorf("MSG %q is not the finding: %v", m[5], err)
	}
}

func TestSyslogUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s, err := NewSyslog("udp://"+pc.LocalAddr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := sample(TypePortScan, t0)
	if err := s.Send(context.Background(), &f); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	checkSyslog(t, string(buf[:n]))
}

func TestSyslogTCPFramingAndReconnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	msgs := make(chan string, 4)
	go func() {
		for i := 0; i < 2; i++ { // the first connection is closed after one message
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r := bufio.NewReader(c)
			lenText, err := r.ReadString(' ')
			if err == nil {
				n, _ := strconv.Atoi(strings.TrimSpace(lenText))
				body := make([]byte, n)
				if _, err := io.ReadFull(r, body); err == nil {
					msgs <- string(body)
				}
			}
			c.Close()
		}
	}()
	s, err := NewSyslog("tcp://"+ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := sample(TypePortScan, t0)
	for i := 0; i < 2; i++ {
		// After the server closed the first connection a write may still succeed once (the
		// kernel buffers it); retry sends until the second message arrives, bounded.
		if err := s.Send(context.Background(), &f); err != nil {
			t.Logf("send %d: %v", i, err)
		}
		select {
		case m := <-msgs:
			checkSyslog(t, m)
		case <-time.After(2 * time.Second):
			if i == 0 {
				t.Fatal("first message not received")
			}
			if err := s.Send(context.Background(), &f); err != nil {
				t.Fatalf("resend after reconnect: %v", err)
			}
			select {
			case m := <-msgs:
				checkSyslog(t, m)
			case <-time.After(10 * time.Second):
				t.Fatal("no message after reconnect")
			}
		}
	}
}

func TestWebhookRetries(t *testing.T) {
	var calls atomic.Int32
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		auth.Store(r.Header.Get("Authorization"))
		var f Finding
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil || f.Type == "" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if f.Type == "refused" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			return
		}
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	w := NewWebhook(&config.Webhook{URL: srv.URL + "/hook?token=s3cret", BearerToken: "tok", Timeout: "2s", Retries: 3})
	w.pause = time.Millisecond
	f := sample(TypePortScan, t0)
	if err := w.Send(context.Background(), &f); err != nil {
		t.Fatalf("send with two 503s then 204: %v", err)
	}
	if calls.Load() != 3 || auth.Load() != "Bearer tok" {
		t.Errorf("%d calls, auth %q; want 3 and the bearer token", calls.Load(), auth.Load())
	}
	calls.Store(10)
	refused := sample("refused", t0)
	err := w.Send(context.Background(), &refused)
	if err == nil || calls.Load() != 11 {
		t.Errorf("4xx: err %v after %d calls, want an error after one call", err, calls.Load()-10)
	}
	if err != nil && strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error leaks the URL's token: %v", err)
	}
	// Nothing listening: bounded retries, then an error.
	dead := NewWebhook(&config.Webhook{URL: "http://127.0.0.1:1/x", Timeout: "1s", Retries: 2})
	dead.pause = time.Millisecond
	if err := dead.Send(context.Background(), &f); err == nil {
		t.Error("send to a closed port succeeded")
	}
}

// requiredASFF are the fields BatchImportFindings requires (AWS Security Finding Format).
var requiredASFF = []string{"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types",
	"CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Resources"}

func checkASFF(t *testing.T, doc map[string]any) {
	t.Helper()
	for _, k := range requiredASFF {
		v, ok := doc[k]
		if !ok || v == nil || v == "" {
			t.Errorf("ASFF field %s missing", k)
		}
	}
	if doc["SchemaVersion"] != "2018-10-08" {
		t.Errorf("SchemaVersion %v", doc["SchemaVersion"])
	}
	if !regexp.MustCompile(`^arn:aws:securityhub:[a-z0-9-]+:\d{12}:product/\d{12}/default$`).MatchString(doc["ProductArn"].(string)) {
		t.Errorf("ProductArn %v", doc["ProductArn"])
	}
	if !regexp.MustCompile(`^\d{12}$`).MatchString(doc["AwsAccountId"].(string)) {
		t.Errorf("AwsAccountId %v", doc["AwsAccountId"])
	}
	for _, k := range []string{"CreatedAt", "UpdatedAt"} {
		if _, err := time.Parse(time.RFC3339Nano, doc[k].(string)); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	sev, _ := doc["Severity"].(map[string]any)
	switch sev["Label"] {
	case "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL":
	default:
		t.Errorf("Severity.Label %v", sev["Label"])
	}
	types, _ := doc["Types"].([]any)
	if len(types) == 0 || strings.Count(types[0].(string), "/") != 2 {
		t.Errorf("Types %v: want namespace/category/classifier", doc["Types"])
	}
	res, _ := doc["Resources"].([]any)
	if len(res) == 0 || res[0].(map[string]any)["Type"] == "" || res[0].(map[string]any)["Id"] == "" {
		t.Errorf("Resources %v", doc["Resources"])
	}
	if len(doc["Title"].(string)) > 256 || len(doc["Description"].(string)) > 1024 {
		t.Error("Title or Description too long")
	}
}

func TestASFFFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asff.jsonl")
	p, err := NewPublisher(&config.Findings{ASFF: &config.ASFF{File: path, AccountID: "123456789012", Region: "eu-west-1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	types := []string{TypePortScan, TypeAddressScan, TypeRandomScan, TypeCoinMiner, TypeMinerBinary, TypeBeacon,
		TypeDGA, TypeDNSTunnel, TypeIndicatorIP, TypeIndicatorDomain, TypeIndicatorJA3, "something_new"}
	for _, typ := range types {
		p.Publish(sample(typ, t0))
	}
	p.Close()
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	passed := 0
	for _, line := range lines {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		before := t.Failed()
		checkASFF(t, doc)
		if !t.Failed() || before {
			passed++
		}
	}
	if len(lines) != len(types) {
		t.Errorf("%d documents, want %d", len(lines), len(types))
	}
	t.Logf("%d passed, %d failed", passed, len(lines)-passed)
}

func TestRemediationCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "stdin.json")
	r := NewRemediator(&config.Remediation{Command: []string{"tee", out}, Types: []string{TypePortScan}, MinSeverity: 5, Timeout: "10s"})
	f := sample(TypePortScan, t0)
	if err := r.Run(context.Background(), &f); err != nil {
		t.Fatal(err)
	}
	var got Finding
	data, _ := os.ReadFile(out)
	if err := json.Unmarshal(data, &got); err != nil || got.ID != f.ID {
		t.Fatalf("command stdin %q: %v", data, err)
	}
	os.Remove(out)
	other := sample(TypeBeacon, t0)
	r.Run(context.Background(), &other)
	if _, err := os.Stat(out); err == nil {
		t.Error("remediation ran for a type it is not configured for")
	}
	slow := NewRemediator(&config.Remediation{Command: []string{"sleep", "30"}, Timeout: "200ms"})
	start := time.Now()
	err := slow.Run(context.Background(), &f)
	if err == nil || !strings.Contains(err.Error(), "timed out") || time.Since(start) > 10*time.Second {
		t.Errorf("slow command: %v after %s, want a timeout error", err, time.Since(start))
	}
	if err := NewRemediator(&config.Remediation{Command: []string{"false"}}).Run(context.Background(), &f); err == nil {
		t.Error("a failing command reported no error")
	}
}

func TestRemediationWebhook(t *testing.T) {
	got := make(chan Finding, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var f Finding
		json.NewDecoder(r.Body).Decode(&f)
		got <- f
	}))
	defer srv.Close()
	r := NewRemediator(&config.Remediation{WebhookURL: srv.URL, Timeout: "5s"})
	f := sample(TypeCoinMiner, t0)
	if err := r.Run(context.Background(), &f); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g.ID != f.ID {
		t.Errorf("webhook got %+v", g)
	}
}

func TestConfigValidation(t *testing.T) {
	bad := []config.Findings{
		{Syslog: "udp://nohost"},
		{Syslog: "http://x:1"},
		{Webhook: &config.Webhook{URL: "ftp://x"}},
		{ASFF: &config.ASFF{}},
		{ASFF: &config.ASFF{File: "x"}}, // no account
		{ASFF: &config.ASFF{SNSTopicARN: "arn:aws:sqs:eu-west-1:123456789012:q"}},
		{Remediation: &config.Remediation{}},
		{SuppressFor: "soon"},
	}
	for _, c := range bad {
		if _, err := NewPublisher(&c, nil); err == nil {
			t.Errorf("NewPublisher(%+v) accepted a bad configuration", c)
		} else if !strings.HasPrefix(err.Error(), "findings.") {
			t.Errorf("error %q does not name the field", err)
		}
	}
}
