package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// crashyPath is the crashprovider test plugin, built once by TestMain.
var crashyPath string

func TestMain(m *testing.M) {
	if os.Getenv(parentHelperEnv) != "" {
		runParentHelper()
		return
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "rampart-plugin-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	crashyPath = filepath.Join(dir, "rampart-provider-crashy")
	build := exec.Command("go", "build", "-o", crashyPath, "./testdata/crashprovider")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build test plugin testdata/crashprovider: %v\n", err)
		return 1
	}
	return m.Run()
}

// syncBuffer is a log destination that go-plugin's goroutines and the test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startCrashy starts the test plugin and kills it when the test ends. The plugin's log
// goes to the returned buffer.
func startCrashy(t *testing.T) (*Client, *syncBuffer) {
	t.Helper()
	meta := Meta{Name: "crashy", Path: crashyPath}
	checksum, err := meta.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	client, err := Start(context.Background(), meta, StartOptions{
		WorkDir:  t.TempDir(),
		Logger:   hclog.New(&hclog.LoggerOptions{Output: log, Level: hclog.Debug}),
		Checksum: checksum,
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(client.Kill)
	return client, log
}

// crashyInstance builds the instance value the test plugin plans and applies.
func crashyInstance(crash, fail bool) protocol.InstanceValue {
	return protocol.InstanceValue{
		Runtime: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("shop")}),
		Placement: cty.ObjectVal(map[string]cty.Value{
			"crash": cty.BoolVal(crash),
			"fail":  cty.BoolVal(fail),
		}),
	}
}

func applyCrashy(client *Client, value protocol.InstanceValue) (*protocol.ApplyResponse, []string) {
	var events []string
	resp := client.Apply(context.Background(), &protocol.ApplyRequest{
		Instance: protocol.Instance{Address: "waf.shop", Kind: "waf", Placement: "crashy", Lineage: "test"},
		Planned:  &value,
		Config:   &value,
	}, func(e protocol.ApplyEvent) { events = append(events, e.Message) })
	return resp, events
}

func TestStartAndGetSchema(t *testing.T) {
	client, _ := startCrashy(t)
	if client.Name() != "crashy" {
		t.Errorf("Name = %q", client.Name())
	}
	if client.Pid() <= 0 {
		t.Errorf("Pid = %d, want the plugin's process id", client.Pid())
	}

	schema, diags := client.GetSchema(context.Background())
	if diags.HasErrors() {
		t.Fatalf("GetSchema: %v", diags.Err())
	}
	placement := schema.Placements["crashy"]
	if placement == nil {
		t.Fatalf("GetSchema has no placement crashy: %#v", schema.Placements)
	}
	if !reflect.DeepEqual(placement.Kinds, []string{"waf"}) {
		t.Errorf("Kinds = %v, want [waf]", placement.Kinds)
	}
	crash := placement.Block.Attributes["crash"]
	if crash == nil || !crash.Type.Equals(cty.Bool) || !crash.Optional {
		t.Errorf("attribute crash = %#v, want an optional bool", crash)
	}
	if label := schema.Provider.Attributes["label"]; label == nil || !label.Type.Equals(cty.String) {
		t.Errorf("provider attribute label = %#v, want a string", label)
	}

	// The schema survives the cache exactly as the plugin sent it.
	workDir := t.TempDir()
	checksum, _ := client.Meta().Checksum()
	if err := StoreSchema(workDir, checksum, schema); err != nil {
		t.Fatal(err)
	}
	if cached, ok := CachedSchema(workDir, checksum); !ok || !reflect.DeepEqual(cached, schema) {
		t.Errorf("cached schema = %#v (hit %v), want %#v", cached, ok, schema)
	}

	client.Kill()
	if !client.Exited() {
		t.Error("Exited = false after Kill")
	}
}

func TestApplyStreamsProgressAndReturnsPlanned(t *testing.T) {
	client, _ := startCrashy(t)
	value := crashyInstance(false, false)
	resp, events := applyCrashy(client, value)
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("Apply: %v", resp.Diagnostics.Err())
	}
	if !reflect.DeepEqual(events, []string{"applying waf.shop"}) {
		t.Errorf("progress events = %q, want [applying waf.shop]", events)
	}
	if resp.New == nil || !resp.New.Placement.RawEquals(value.Placement) {
		t.Errorf("Apply returned %#v, want the planned value", resp.New)
	}
}

func TestOrdinaryErrorIsNotACrash(t *testing.T) {
	client, _ := startCrashy(t)
	resp, _ := applyCrashy(client, crashyInstance(false, true))
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Simulated failure" {
		t.Fatalf("Apply diagnostics = %#v, want the plugin's own error", resp.Diagnostics)
	}
	if IsCrash(resp.Diagnostics) {
		t.Error("IsCrash = true for an error the plugin reported")
	}
	if client.Exited() {
		t.Error("plugin exited after an ordinary error")
	}
}

func TestCrashDuringApply(t *testing.T) {
	client, log := startCrashy(t)
	pid := client.Pid()
	// The progress event the plugin sends just before exiting may or may not make it over
	// the wire, so it is not checked here.
	resp, _ := applyCrashy(client, crashyInstance(true, false))

	if len(resp.Diagnostics) != 1 {
		t.Fatalf("got %d diagnostics, want exactly one: %#v", len(resp.Diagnostics), resp.Diagnostics)
	}
	d := resp.Diagnostics[0]
	if d.Severity != protocol.Error || d.Summary != `Provider "crashy" exited unexpectedly` {
		t.Errorf("diagnostic = %v %q", d.Severity, d.Summary)
	}
	lastWords := "crashprovider: simulated crash while applying waf.shop"
	for _, want := range []string{crashyPath, fmt.Sprintf("(pid %d)", pid), "Last lines it wrote to stderr:\n", "\n  " + lastWords} {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("crash detail does not contain %q:\n%s", want, d.Detail)
		}
	}
	if !strings.HasSuffix(d.Detail, lastWords) {
		t.Errorf("crash detail does not end with the plugin's last line %q", lastWords)
	}
	if !IsCrash(resp.Diagnostics) {
		t.Error("IsCrash = false for a crash")
	}
	if !client.Exited() {
		t.Error("Exited = false after the crash")
	}
	if !strings.Contains(log.String(), lastWords) {
		t.Errorf("the plugin's stderr did not go through the logger; log:\n%s", log)
	}

	// Every later call reports the same crash instead of a transport error.
	read := client.Read(context.Background(), &protocol.ReadRequest{Current: crashyInstance(false, false)})
	if !IsCrash(read.Diagnostics) || len(read.Diagnostics) != 1 {
		t.Errorf("Read after the crash = %#v, want the crash diagnostic", read.Diagnostics)
	}
	if err := client.Stop(context.Background()); err == nil || !strings.Contains(err.Error(), "exited unexpectedly") {
		t.Errorf("Stop after the crash = %v, want the crash error", err)
	}
}

func TestStartRefusesChangedBinary(t *testing.T) {
	meta := Meta{Name: "crashy", Path: crashyPath}
	actual, err := meta.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	recorded := "sha256:" + strings.Repeat("0", 64)
	client, err := Start(context.Background(), meta, StartOptions{WorkDir: t.TempDir(), Logger: hclog.NewNullLogger(), Checksum: recorded})
	if err == nil {
		client.Kill()
		t.Fatal("Start succeeded with a wrong checksum")
	}
	want := `provider "crashy": checksum of ` + crashyPath + ` is ` + actual + `, but .rampart.lock.hcl records ` + recorded +
		`; the plugin changed since "rampart init". If you upgraded it on purpose, run "rampart init -upgrade"; otherwise do not run it.`
	if err.Error() != want {
		t.Errorf("Start error:\n got %s\nwant %s", err, want)
	}
	var mismatch *ChecksumMismatchError
	if !errors.As(err, &mismatch) || mismatch.Recorded != recorded {
		t.Errorf("Start error is %T, want a *ChecksumMismatchError recording %s", err, recorded)
	}
}

func TestStartFailsOnNonPlugin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rampart-provider-liar")
	writeExecutable(t, path, "#!/bin/sh\necho 'not a plugin' >&2\nexit 1\n")
	client, err := Start(context.Background(), Meta{Name: "liar", Path: path}, StartOptions{Logger: hclog.NewNullLogger()})
	if err == nil {
		client.Kill()
		t.Fatal("Start succeeded for a program that is not a plugin")
	}
	for _, want := range []string{`start provider "liar"`, path, "not a plugin"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Start error does not contain %q: %v", want, err)
		}
	}
}

func TestStartHonoursCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	client, err := Start(ctx, Meta{Name: "crashy", Path: crashyPath}, StartOptions{Logger: hclog.NewNullLogger()})
	if err == nil {
		client.Kill()
		t.Fatal("Start succeeded with a canceled context")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Start error = %v, want context.Canceled", err)
	}
}

func TestDefaultLoggerLevel(t *testing.T) {
	tests := []struct {
		env  string
		want hclog.Level
	}{
		{"", hclog.Warn},
		{"debug", hclog.Debug},
		{"TRACE", hclog.Trace},
		{"nonsense", hclog.Warn},
	}
	for _, tt := range tests {
		t.Setenv(LogLevelEnv, tt.env)
		if got := defaultLogger().GetLevel(); got != tt.want {
			t.Errorf("%s=%q: level %v, want %v", LogLevelEnv, tt.env, got, tt.want)
		}
	}
}
