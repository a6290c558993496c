package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// The tests in this file start the real rampart-waf, built once from ./cmd/rampart-waf.

var wafBuild struct {
	once sync.Once
	path string
	err  error
}

// wafBinary builds rampart-waf into a temporary directory (once per test run).
func wafBinary(t testing.TB) string {
	t.Helper()
	wafBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "rampart-local-test-")
		if err != nil {
			wafBuild.err = err
			return
		}
		wafBuild.path = filepath.Join(dir, "rampart-waf")
		cmd := exec.Command("go", "build", "-o", wafBuild.path, "github.com/rampart-sec/rampart/cmd/rampart-waf")
		if out, err := cmd.CombinedOutput(); err != nil {
			wafBuild.err = fmt.Errorf("go build ./cmd/rampart-waf: %v\n%s", err, out)
		}
	})
	if wafBuild.err != nil {
		t.Fatalf("these tests run the real rampart-waf; fix its build first: %v", wafBuild.err)
	}
	return wafBuild.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if wafBuild.path != "" {
		os.RemoveAll(filepath.Dir(wafBuild.path))
	}
	os.Exit(code)
}

// upstream starts a loopback HTTP server for the WAF's pool.
func upstream(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from upstream")
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// newWAFConfig is a WAF configuration on free loopback ports.
func newWAFConfig(t testing.TB) wafConfig {
	return wafConfig{httpPort: freePort(t), adminPort: freePort(t), upstream: upstream(t)}
}

// create applies a new instance and makes sure its process is killed when the test ends.
func create(t testing.TB, p *placement, address string, runtime, placementCfg cty.Value) *protocol.ApplyResponse {
	t.Helper()
	config := protocol.InstanceValue{Runtime: runtime, Placement: placementCfg}
	plan := p.Plan(context.Background(), &protocol.PlanRequest{Instance: wafInstance(address), Config: config})
	mustNoErrors(t, plan.Diagnostics)
	resp := p.Apply(context.Background(), &protocol.ApplyRequest{
		Instance: wafInstance(address), Planned: &plan.Planned, Config: &config,
	}, noProgress)
	if resp.New != nil {
		killOnCleanup(t, pidAttr(resp.New.Placement), shape.String(resp.New.Placement, attrConfigPath))
	}
	return resp
}

// killOnCleanup kills the process at pid when the test ends, if it is still the runtime
// started with configPath.
func killOnCleanup(t testing.TB, pid int, configPath string) {
	t.Cleanup(func() {
		if ownsProcess(pid, configPath) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			waitGone(pid, configPath, 5*time.Second)
		}
	})
}

func getStatus(t testing.TB, admin string) runtimes.Status {
	t.Helper()
	st, err := runtimes.NewClient(admin, "").Status(context.Background())
	if err != nil {
		t.Fatalf("GET /status: %v", err)
	}
	return st
}

func TestLifecycle(t *testing.T) {
	binary := wafBinary(t)
	p := testPlacement(t)
	inst := wafInstance(`waf.edge["eu"]`)
	wc := newWAFConfig(t)
	placementCfg := placementConfig(binary, map[string]string{"WAF_TEST_SETTING": "x"})

	resp := create(t, p, inst.Address, wc.runtimeValue(), placementCfg)
	mustNoErrors(t, resp.Diagnostics)
	state := *resp.New
	pid := pidAttr(state.Placement)
	configPath := shape.String(state.Placement, attrConfigPath)
	admin := shape.String(state.Placement, attrAdmin)

	t.Run("create starts a healthy process", func(t *testing.T) {
		if err := runtimes.NewClient(admin, "").Healthy(context.Background()); err != nil {
			t.Fatalf("healthz: %v", err)
		}
		if admin != fmt.Sprintf("127.0.0.1:%d", wc.adminPort) {
			t.Errorf("admin = %q", admin)
		}
		if !ownsProcess(pid, configPath) {
			t.Errorf("pid %d is not running %s", pid, configPath)
		}
		if want := filepath.Join(p.stateDir.get(), dirName(inst.Address), "config.json"); configPath != want {
			t.Errorf("config_path = %q, want %q", configPath, want)
		}
		info, err := os.Stat(configPath)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("config.json: %v, mode %v, want 0600", err, info.Mode())
		}
		data, _ := os.ReadFile(configPath)
		want, _ := ctyjson.Marshal(wc.runtimeValue(), wafRuntimeType)
		if string(data) != string(want) {
			t.Errorf("config.json = %s\nwant exactly %s", data, want)
		}
		if got := readPIDFile(filepath.Join(filepath.Dir(configPath), pidFileName)); got != pid {
			t.Errorf("pid file = %d, want %d", got, pid)
		}
		wantSHA, _ := runtimes.FileSHA256(binary)
		if got := shape.String(state.Placement, attrBinarySHA256); got != wantSHA {
			t.Errorf("binary_sha256 = %q, want %q", got, wantSHA)
		}
	})

	t.Run("observe reads back exactly what was applied", func(t *testing.T) {
		obs := p.Observe(context.Background(), &protocol.ObserveRequest{
			Placement: PlacementType,
			Instances: []*protocol.ObserveInstance{{Instance: inst, Prior: state}},
		})
		mustNoErrors(t, obs.Diagnostics)
		got := obs.Observed[inst.Address]
		if got == nil || got.Value == nil {
			t.Fatalf("observed gone, want running")
		}
		if !got.Value.Runtime.RawEquals(state.Runtime) || !got.Value.Placement.RawEquals(state.Placement) {
			t.Errorf("observed value differs from applied:\n%#v\n%#v", got.Value, state)
		}
		if got.Status.Health != healthUnknown {
			t.Errorf("health without WantStatus = %q, want %q (no network call)", got.Status.Health, healthUnknown)
		}
	})

	t.Run("read reports health and address", func(t *testing.T) {
		read := p.Read(context.Background(), &protocol.ReadRequest{Instance: inst, Current: state})
		mustNoErrors(t, read.Diagnostics)
		got := read.Observed.Status
		want := protocol.Status{Health: healthHealthy, Address: fmt.Sprintf("http://127.0.0.1:%d", wc.httpPort), Detail: fmt.Sprintf("pid %d", pid)}
		if got.Health != want.Health || got.Address != want.Address || got.Detail != want.Detail {
			t.Errorf("status = %+v, want %+v", got, want)
		}
	})

	t.Run("plan with unchanged config is a no-op", func(t *testing.T) {
		plan := p.Plan(context.Background(), &protocol.PlanRequest{
			Instance: inst,
			Config:   protocol.InstanceValue{Runtime: wc.runtimeValue(), Placement: placementCfg},
			Prior:    &state, Observed: &state,
		})
		mustNoErrors(t, plan.Diagnostics)
		if !plan.Planned.Runtime.RawEquals(state.Runtime) || !plan.Planned.Placement.RawEquals(state.Placement) || len(plan.Details) > 0 {
			t.Errorf("plan is not a no-op: details %q", plan.Details)
		}
	})

	t.Run("reloadable change updates in place", func(t *testing.T) {
		before := getStatus(t, admin)
		changed := wc
		changed.hostnames = []string{"shop.example.com"}
		config := protocol.InstanceValue{Runtime: changed.runtimeValue(), Placement: placementCfg}
		plan := p.Plan(context.Background(), &protocol.PlanRequest{Instance: inst, Config: config, Prior: &state, Observed: &state})
		mustNoErrors(t, plan.Diagnostics)
		if len(plan.RequiresReplace) > 0 {
			t.Fatalf("plan requires replace %v, want update in place", plan.RequiresReplace)
		}
		var lines []string
		apply := p.Apply(context.Background(), &protocol.ApplyRequest{Instance: inst, Prior: &state, Planned: &plan.Planned, Config: &config},
			func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) })
		mustNoErrors(t, apply.Diagnostics)
		if got := pidAttr(apply.New.Placement); got != pid {
			t.Errorf("pid after reload = %d, want the same %d", got, pid)
		}
		data, _ := os.ReadFile(configPath)
		sum := sha256.Sum256(data)
		after := getStatus(t, admin)
		if after.ConfigSHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("runtime reports config_sha256 %s, want the new file's %x", after.ConfigSHA256, sum)
		}
		if after.ConfigGeneration <= before.ConfigGeneration {
			t.Errorf("config_generation %d → %d, want it to grow", before.ConfigGeneration, after.ConfigGeneration)
		}
		if want := fmt.Sprintf("reloading rampart-waf (pid %d) with SIGHUP", pid); len(lines) == 0 || lines[0] != want {
			t.Errorf("progress = %q, want first line %q", lines, want)
		}
		state = *apply.New
	})

	t.Run("listen change requires replace", func(t *testing.T) {
		changed := wc
		changed.hostnames = []string{"shop.example.com"}
		changed.httpPort = freePort(t)
		plan := p.Plan(context.Background(), &protocol.PlanRequest{
			Instance: inst,
			Config:   protocol.InstanceValue{Runtime: changed.runtimeValue(), Placement: placementCfg},
			Prior:    &state, Observed: &state,
		})
		mustNoErrors(t, plan.Diagnostics)
		if len(plan.RequiresReplace) != 1 || protocol.FormatPath(plan.RequiresReplace[0]) != "runtime.listen" {
			t.Errorf("RequiresReplace = %v, want runtime.listen", plan.RequiresReplace)
		}
	})

	t.Run("delete stops the process and removes the directory", func(t *testing.T) {
		diags := p.Delete(context.Background(), &protocol.ApplyRequest{Instance: inst, Prior: &state}, noProgress)
		mustNoErrors(t, diags)
		if ownsProcess(pid, configPath) {
			t.Errorf("pid %d still runs after delete", pid)
		}
		if _, err := os.Stat(filepath.Dir(configPath)); !os.IsNotExist(err) {
			t.Errorf("instance directory still exists: %v", err)
		}
		// Deleting what is already gone succeeds.
		mustNoErrors(t, p.Delete(context.Background(), &protocol.ApplyRequest{Instance: inst, Prior: &state}, noProgress))
	})
}

func TestKilledProcessIsGoneAndStartedAgain(t *testing.T) {
	binary := wafBinary(t)
	p := testPlacement(t)
	resp := create(t, p, "waf.shop", newWAFConfig(t).runtimeValue(), placementConfig(binary, nil))
	mustNoErrors(t, resp.Diagnostics)
	pid, configPath := pidAttr(resp.New.Placement), shape.String(resp.New.Placement, attrConfigPath)

	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !waitGone(pid, configPath, 5*time.Second) {
		t.Fatalf("pid %d did not die", pid)
	}
	obs := p.Observe(context.Background(), &protocol.ObserveRequest{
		Placement:  PlacementType,
		Instances:  []*protocol.ObserveInstance{{Instance: wafInstance("waf.shop"), Prior: *resp.New}},
		WantStatus: true,
	})
	mustNoErrors(t, obs.Diagnostics)
	got := obs.Observed["waf.shop"]
	if got == nil || got.Value != nil {
		t.Fatalf("observed %+v, want gone (nil Value)", got)
	}
	if got.Status.Health != healthStopped {
		t.Errorf("health = %q, want %q", got.Status.Health, healthStopped)
	}

	// The next plan creates it again; apply starts a new process even if the engine
	// still passes the dead instance's state as prior.
	config := protocol.InstanceValue{Runtime: resp.New.Runtime, Placement: placementConfig(binary, nil)}
	plan := p.Plan(context.Background(), &protocol.PlanRequest{Instance: wafInstance("waf.shop"), Config: config, Prior: resp.New})
	mustNoErrors(t, plan.Diagnostics)
	if plan.Planned.Placement.GetAttr(attrPID).IsKnown() {
		t.Errorf("planned pid is known, want a new process")
	}
	again := p.Apply(context.Background(), &protocol.ApplyRequest{Instance: wafInstance("waf.shop"), Prior: resp.New, Planned: &plan.Planned, Config: &config}, noProgress)
	mustNoErrors(t, again.Diagnostics)
	newPID := pidAttr(again.New.Placement)
	killOnCleanup(t, newPID, configPath)
	if newPID == pid || !ownsProcess(newPID, configPath) {
		t.Errorf("after apply: pid %d (was %d), running: %v", newPID, pid, ownsProcess(newPID, configPath))
	}
}

func TestCreateWithPortInUseQuotesRuntimeLog(t *testing.T) {
	binary := wafBinary(t)
	p := testPlacement(t)
	wc := newWAFConfig(t)
	taken, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", fmt.Sprintf("127.0.0.1:%d", wc.httpPort))
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	resp := create(t, p, "waf.shop", wc.runtimeValue(), placementConfig(binary, nil))
	if resp.New != nil {
		t.Errorf("New = %v, want nil: nothing may be left running", resp.New)
	}
	if len(resp.Diagnostics) != 1 {
		t.Fatalf("diagnostics = %v, want one error", resp.Diagnostics)
	}
	d := resp.Diagnostics[0]
	if d.Summary != "rampart-waf exited" {
		t.Errorf("summary = %q, want %q", d.Summary, "rampart-waf exited")
	}
	if !strings.Contains(d.Detail, "address already in use") {
		t.Errorf("detail does not quote the runtime's log line about the port:\n%s", d.Detail)
	}
}

func TestCreateWithMissingDefaultBinary(t *testing.T) {
	p := testPlacement(t)
	emptyPath := t.TempDir()
	t.Setenv("PATH", emptyPath)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	config := protocol.InstanceValue{Runtime: wafConfig{httpPort: 8080, adminPort: 9901, upstream: "127.0.0.1:1"}.runtimeValue(), Placement: placementConfig("", nil)}
	resp := p.Apply(context.Background(), &protocol.ApplyRequest{Instance: wafInstance("waf.shop"), Planned: &config, Config: &config}, noProgress)
	want := fmt.Sprintf("rampart-waf binary not found: Looked for rampart-waf at %s and $PATH. "+
		"Run `make build` to build the runtimes next to rampart, or set binary in the local block.",
		filepath.Join(filepath.Dir(self), "rampart-waf"))
	if resp.Diagnostics.Err() == nil || resp.Diagnostics.Err().Error() != "placement.binary: "+want {
		t.Errorf("error = %v\nwant    placement.binary: %s", resp.Diagnostics.Err(), want)
	}
	if resp.New != nil {
		t.Errorf("New = %v, want nil", resp.New)
	}
}

func TestImportRunningProcess(t *testing.T) {
	binary := wafBinary(t)
	p := testPlacement(t)
	wc := newWAFConfig(t)
	resp := create(t, p, "waf.shop", wc.runtimeValue(), placementConfig(binary, nil))
	mustNoErrors(t, resp.Diagnostics)
	pid := pidAttr(resp.New.Placement)

	imp := p.Import(context.Background(), &protocol.ImportRequest{Instance: wafInstance("waf.shop"), ID: fmt.Sprintf("pid:%d", pid)})
	mustNoErrors(t, imp.Diagnostics)
	for _, name := range []string{attrPID, attrConfigPath, attrLogPath, attrAdmin, attrBinarySHA256} {
		if got, want := imp.Imported.Placement.GetAttr(name), resp.New.Placement.GetAttr(name); !got.RawEquals(want) {
			t.Errorf("imported %s = %#v, want %#v", name, got, want)
		}
	}
	// The value has the JSON's implied type; converting it gives the applied value back.
	imported, _ := ctyjson.Marshal(imp.Imported.Runtime, imp.Imported.Runtime.Type())
	applied, _ := ctyjson.Marshal(resp.New.Runtime, resp.New.Runtime.Type())
	if string(imported) != string(applied) {
		t.Errorf("imported runtime %s\nwant %s", imported, applied)
	}

	bad := p.Import(context.Background(), &protocol.ImportRequest{Instance: wafInstance("waf.shop"), ID: fmt.Sprint(os.Getpid())})
	if !bad.Diagnostics.HasErrors() || !strings.Contains(bad.Diagnostics.Err().Error(), "not rampart-waf") {
		t.Errorf("import of a non-WAF pid: %v, want a 'not rampart-waf' error", bad.Diagnostics.Err())
	}
}

func TestUpdateNotLoadedRestoresPreviousConfig(t *testing.T) {
	binary := wafBinary(t)
	p := testPlacement(t)
	p.reloadTimeout = time.Second
	wc := newWAFConfig(t)
	placementCfg := placementConfig(binary, nil)
	resp := create(t, p, "waf.shop", wc.runtimeValue(), placementCfg)
	mustNoErrors(t, resp.Diagnostics)
	state := *resp.New
	pid, configPath := pidAttr(state.Placement), shape.String(state.Placement, attrConfigPath)
	previous, _ := os.ReadFile(configPath)

	// A stopped process cannot load anything: the reload must time out.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })

	changed := wc
	changed.hostnames = []string{"shop.example.com"}
	config := protocol.InstanceValue{Runtime: changed.runtimeValue(), Placement: placementCfg}
	apply := p.Apply(context.Background(), &protocol.ApplyRequest{Instance: wafInstance("waf.shop"), Prior: &state, Planned: &config, Config: &config}, noProgress)
	if len(apply.Diagnostics) != 1 || apply.Diagnostics[0].Summary != "rampart-waf did not load the new configuration" {
		t.Fatalf("diagnostics = %v, want 'did not load the new configuration'", apply.Diagnostics.Err())
	}
	if !strings.Contains(apply.Diagnostics[0].Detail, shape.String(state.Placement, attrLogPath)) {
		t.Errorf("detail does not point at the log: %s", apply.Diagnostics[0].Detail)
	}
	if apply.New == nil || !apply.New.Runtime.RawEquals(state.Runtime) {
		t.Errorf("New should be the prior state, as the process still runs it")
	}
	if now, _ := os.ReadFile(configPath); string(now) != string(previous) {
		t.Errorf("config.json was not restored:\n%s\nwant\n%s", now, previous)
	}
}

// BenchmarkObserve measures the refresh of a plan: 1,000 instances, no status. They all
// point at one real runtime process, which costs the provider the same as 1,000 processes.
func BenchmarkObserve(b *testing.B) {
	binary := wafBinary(b)
	p := testPlacement(b)
	resp := create(b, p, "waf.shop", newWAFConfig(b).runtimeValue(), placementConfig(binary, nil))
	mustNoErrors(b, resp.Diagnostics)
	req := &protocol.ObserveRequest{Placement: PlacementType}
	for i := range 1000 {
		req.Instances = append(req.Instances, &protocol.ObserveInstance{
			Instance: wafInstance(fmt.Sprintf("waf.shop%d", i)),
			Prior:    *resp.New,
		})
	}
	b.ReportAllocs()
	for b.Loop() {
		obs := p.Observe(context.Background(), req)
		if len(obs.Observed) != 1000 || obs.Observed["waf.shop0"].Value == nil {
			b.Fatal("instances not observed")
		}
	}
}
