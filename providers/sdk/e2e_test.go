package sdk_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

var (
	buildOnce   sync.Once
	builtPlugin string
	buildErr    error
	buildDir    string
)

// TestMain removes the example provider binary that the tests build once and share.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// examplePlugin builds testdata/exampleprovider once per test binary and returns its path.
func examplePlugin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "rampart-sdk-test-")
		if buildErr != nil {
			return
		}
		builtPlugin = filepath.Join(buildDir, "rampart-provider-example")
		out, err := exec.Command("go", "build", "-o", builtPlugin, "./testdata/exampleprovider").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./testdata/exampleprovider: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtPlugin
}

// startPlugin launches the plugin the way the engine does and returns its Provider and
// go-plugin client.
func startPlugin(path string) (protocol.Provider, *plugin.Client, error) {
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  protocol.Handshake,
		Plugins:          protocol.PluginMap(nil),
		Cmd:              exec.Command(path),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: os.Stderr, Level: hclog.Warn}),
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, nil, fmt.Errorf("start plugin %s: %w", path, err)
	}
	raw, err := rpc.Dispense(protocol.PluginName)
	if err != nil {
		client.Kill()
		return nil, nil, fmt.Errorf("dispense %s: %w", protocol.PluginName, err)
	}
	return raw.(protocol.Provider), client, nil
}

func TestPluginEndToEnd(t *testing.T) {
	provider, client, err := startPlugin(examplePlugin(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Kill)
	ctx := context.Background()
	instance := protocol.Instance{Address: "waf.shop", Kind: "waf", Placement: "example", Lineage: "lineage-1"}

	t.Run("GetSchema", func(t *testing.T) {
		schema, diags := provider.GetSchema(ctx)
		if diags.HasErrors() {
			t.Fatal(diags.Err())
		}
		example := schema.Placements["example"]
		if example == nil || strings.Join(example.Kinds, ",") != "waf" || !example.Block.Attributes["token"].Sensitive {
			t.Fatalf("placement example = %#v", example)
		}
		if a := schema.Provider.Attributes["greeting"]; a == nil || !a.Type.Equals(cty.String) {
			t.Fatalf("provider schema = %#v", schema.Provider)
		}
	})

	t.Run("Configure", func(t *testing.T) {
		diags := provider.Configure(ctx, cty.ObjectVal(map[string]cty.Value{"greeting": cty.StringVal("hello")}))
		if diags.HasErrors() {
			t.Fatal(diags.Err())
		}
	})

	config := protocol.InstanceValue{
		Runtime: cty.ObjectVal(map[string]cty.Value{
			"passphrase": cty.StringVal("hunter2").Mark(protocol.SensitiveMark),
			"upstream":   cty.UnknownVal(cty.String),
			"port":       cty.NumberIntVal(80),
		}),
		Placement: cty.ObjectVal(map[string]cty.Value{
			"name":    cty.StringVal("shop"),
			"address": cty.NullVal(cty.String),
			"token":   cty.NullVal(cty.String),
		}),
	}
	var planned protocol.InstanceValue

	t.Run("Plan", func(t *testing.T) {
		resp := provider.Plan(ctx, &protocol.PlanRequest{Instance: instance, Config: config})
		if resp.Diagnostics.HasErrors() {
			t.Fatal(resp.Diagnostics.Err())
		}
		// What the plugin saw: Configure ran, and the mark and the unknown arrived.
		want := "greeting: hello|sensitive: passphrase|unknown: upstream"
		if got := strings.Join(resp.Details, "|"); got != want {
			t.Errorf("details = %q, want %q", got, want)
		}
		// What came back: the plugin's unknown and its sensitive mark, plus ours.
		placement := resp.Planned.Placement
		if placement.GetAttr("address").IsKnown() {
			t.Error("planned address should be unknown")
		}
		if token := placement.GetAttr("token"); !token.HasMark(protocol.SensitiveMark) {
			t.Errorf("planned token = %#v, want it marked sensitive", token)
		}
		if !resp.Planned.Runtime.RawEquals(config.Runtime) {
			t.Errorf("planned runtime = %#v, want the config's with its mark and unknown", resp.Planned.Runtime)
		}
		planned = resp.Planned
	})

	t.Run("Apply", func(t *testing.T) {
		var events []string
		resp := provider.Apply(ctx, &protocol.ApplyRequest{Instance: instance, Planned: &planned, Config: &config},
			func(ev protocol.ApplyEvent) { events = append(events, ev.Message) })
		if resp.Diagnostics.HasErrors() {
			t.Fatal(resp.Diagnostics.Err())
		}
		want := "creating waf.shop|starting waf.shop|waf.shop is healthy"
		if got := strings.Join(events, "|"); got != want {
			t.Errorf("progress = %q, want %q", got, want)
		}
		if resp.New == nil || !resp.New.Placement.GetAttr("address").RawEquals(cty.StringVal("127.0.0.1:8080")) {
			t.Fatalf("new = %#v", resp.New)
		}
		if string(resp.Private) != "pid=1" {
			t.Errorf("private = %q", resp.Private)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		var events []string
		resp := provider.Apply(ctx, &protocol.ApplyRequest{Instance: instance, Prior: &planned},
			func(ev protocol.ApplyEvent) { events = append(events, ev.Message) })
		if resp.Diagnostics.HasErrors() || resp.New != nil {
			t.Fatalf("delete: new %v, diagnostics %v", resp.New, resp.Diagnostics.Err())
		}
		if strings.Join(events, "|") != "deleted waf.shop" {
			t.Errorf("progress = %q", events)
		}
	})

	t.Run("ObserveFallsBackToRead", func(t *testing.T) {
		req := &protocol.ObserveRequest{Placement: "example"}
		for _, name := range []string{"a", "gone", "c"} {
			req.Instances = append(req.Instances, &protocol.ObserveInstance{
				Instance: protocol.Instance{Address: "waf." + name, Kind: "waf"},
				Prior: protocol.InstanceValue{
					Runtime:   cty.EmptyObjectVal,
					Placement: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name)}),
				},
			})
		}
		resp := provider.Observe(ctx, req)
		if resp.Diagnostics.HasErrors() {
			t.Fatal(resp.Diagnostics.Err())
		}
		for _, addr := range []string{"waf.a", "waf.c"} {
			o := resp.Observed[addr]
			if o == nil || o.Value == nil || o.Status.Detail != "read "+addr {
				t.Errorf("%s = %#v, want it observed through Read", addr, o)
			}
		}
		if o := resp.Observed["waf.gone"]; o != nil && o.Value != nil {
			t.Errorf("waf.gone = %#v, want it gone", o)
		}
	})

	t.Run("ImportUnsupported", func(t *testing.T) {
		resp := provider.Import(ctx, &protocol.ImportRequest{Instance: instance, ID: "x"})
		if err := resp.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "does not support import") {
			t.Fatalf("import error = %v", err)
		}
	})

	t.Run("UnknownPlacement", func(t *testing.T) {
		other := instance
		other.Placement = "docker"
		resp := provider.Plan(ctx, &protocol.PlanRequest{Instance: other, Config: config})
		if err := resp.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), `has no placement "docker"; it offers: example`) {
			t.Fatalf("plan error = %v", err)
		}
	})

	t.Run("Stop", func(t *testing.T) {
		if err := provider.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

const parentEnv = "RAMPART_SDK_TEST_PLUGIN_PARENT"

// TestHelperPluginParent is not a test: TestPluginDiesWithParent runs the test binary
// again with parentEnv set, and this function then acts as the rampart CLI that started
// the plugin, until it is killed.
func TestHelperPluginParent(t *testing.T) {
	path := os.Getenv(parentEnv)
	if path == "" {
		t.Skip("helper process for TestPluginDiesWithParent")
	}
	provider, client, err := startPlugin(path)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	if _, diags := provider.GetSchema(context.Background()); diags.HasErrors() {
		fmt.Println("ERROR", diags.Err())
		client.Kill()
		os.Exit(1)
	}
	fmt.Printf("PLUGIN_PID=%d\n", client.ReattachConfig().Pid)
	// Wait to be SIGKILLed; the bound only matters if the parent test is gone.
	time.Sleep(time.Minute)
	client.Kill()
	os.Exit(0)
}

func TestPluginDiesWithParent(t *testing.T) {
	path := examplePlugin(t)
	child := exec.Command(os.Args[0], "-test.run=^TestHelperPluginParent$")
	child.Env = append(os.Environ(), parentEnv+"="+path)
	child.Stderr = os.Stderr
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = child.Process.Kill()
		_ = child.Wait()
	})

	pid := readPluginPID(t, stdout)
	if !processAlive(pid) {
		t.Fatalf("plugin pid %d is not running before its parent was killed", pid)
	}

	// SIGKILL: the parent gets no chance to stop its plugin.
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	deadline := time.Now().Add(10 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL) // we started it, through the child
			t.Fatalf("plugin pid %d still runs 10s after its parent was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readPluginPID reads the helper's PLUGIN_PID line, giving up after 60s.
func readPluginPID(t *testing.T, stdout interface{ Read([]byte) (int, error) }) int {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			line := scanner.Text()
			if strings.HasPrefix(line, "PLUGIN_PID=") || strings.HasPrefix(line, "ERROR") {
				found <- line
				return
			}
		}
		found <- "ERROR helper exited without starting the plugin"
	}()
	select {
	case line := <-found:
		pid, err := strconv.Atoi(strings.TrimPrefix(line, "PLUGIN_PID="))
		if err != nil {
			t.Fatalf("helper: %s", line)
		}
		return pid
	case <-time.After(60 * time.Second):
		t.Fatal("helper did not report a plugin pid within 60s")
		return 0
	}
}

// processAlive reports whether pid runs. A zombie (exited, not yet reaped by whoever
// inherited it) counts as dead.
func processAlive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}
