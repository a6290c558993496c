package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rampart-sec/rampart/internal/atomicfile"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// Apply creates the instance (req.Prior == nil) or reloads it in place with the new
// configuration. Replacements arrive as a Delete followed by a create.
func (p *placement) Apply(ctx context.Context, req *protocol.ApplyRequest, progress sdk.Progress) *protocol.ApplyResponse {
	kind, diags := runtimes.LookupKind("local", req.Instance.Kind)
	if diags.HasErrors() {
		return &protocol.ApplyResponse{New: req.Prior, Diagnostics: diags}
	}
	// Config has every reference resolved; Planned may still hold unknowns.
	final := req.Config
	if final == nil {
		final = req.Planned
	}
	if req.Prior == nil {
		return p.create(ctx, req.Instance, kind, *final, progress)
	}
	pid := pidAttr(req.Prior.Placement)
	if !ownsProcess(pid, shape.String(req.Prior.Placement, attrConfigPath)) {
		// Refresh found the process gone, so Plan planned a create; the engine may still
		// pass the prior state along. Either way: start it again.
		progress("%s (pid %d) is no longer running; starting it again", kind.Binary, pid)
		return p.create(ctx, req.Instance, kind, *final, progress)
	}
	return p.update(ctx, kind, *req.Prior, *final, progress)
}

// create starts a new runtime process and waits until it is healthy.
func (p *placement) create(ctx context.Context, inst protocol.Instance, kind appliance.Kind, final protocol.InstanceValue, progress sdk.Progress) *protocol.ApplyResponse {
	fail := func(diags protocol.Diagnostics) *protocol.ApplyResponse {
		return &protocol.ApplyResponse{Diagnostics: diags}
	}
	rendered, diags := runtimes.Render(kind, final.Runtime)
	if diags.HasErrors() {
		return fail(diags)
	}
	env, diags := envAttr(final.Placement)
	if diags.HasErrors() {
		return fail(diags)
	}
	binary, diags := resolveBinary(kind.Binary, shape.String(final.Placement, attrBinary))
	if diags.HasErrors() {
		return fail(diags)
	}

	dir := p.dirFor(inst.Address)
	if err := os.MkdirAll(dir.Path, 0o700); err != nil {
		return fail(diags.FromErr("cannot create instance directory", err))
	}
	// A process left behind for this very instance (state lost, or an apply killed
	// half-way) holds its ports; it is ours, so stop it rather than fail on "address in use".
	if pid := readPIDFile(dir.PID); ownsProcess(pid, dir.Config) {
		progress("stopping leftover %s (pid %d)", kind.Binary, pid)
		if err := stopProcess(pid, dir.Config, p.stopGrace); err != nil {
			return fail(diags.FromErr("cannot stop leftover process", err))
		}
	} else if pid > 0 && processCmdline(pid) == nil && !waitGone(pid, dir.Config, 5*time.Second) {
		// The previous process was killed and is still exiting, holding its ports.
		return fail(diags.Errorf("previous process still exiting", "pid %d did not finish exiting within 5s", pid))
	}
	if err := atomicfile.Write(dir.Config, rendered.Data, 0o600); err != nil {
		return fail(diags.FromErr("cannot write runtime configuration", err))
	}

	proc, err := startRuntime(binary.Path, dir.Path, dir.Config, dir.Log, env)
	if err != nil {
		return fail(diags.FromErr("cannot start "+kind.Binary, err))
	}
	progress("starting %s (pid %d)", kind.Binary, proc.PID)
	if err := atomicfile.Write(dir.PID, []byte(strconv.Itoa(proc.PID)+"\n"), 0o600); err != nil {
		_ = stopProcess(proc.PID, dir.Config, p.stopGrace)
		return fail(diags.FromErr("cannot write pid file", err))
	}

	admin := rendered.Parsed.AdminListen()
	progress("waiting for /healthz on %s", admin)
	started := time.Now()
	client := runtimes.NewClient(admin, dir.Path)
	if err := runtimes.WaitReady(ctx, client, runtimes.Process{Exited: proc.Exited}, rendered.SHA256(), p.healthTimeout); err != nil {
		// Fail closed: a runtime that is not healthy is stopped, not left half-working.
		_ = stopProcess(proc.PID, dir.Config, p.stopGrace)
		_ = os.Remove(dir.PID)
		return fail(startFailure(kind, proc.PID, dir, err))
	}
	progress("%s is healthy after %s", kind.Binary, time.Since(started).Round(10*time.Millisecond))

	return &protocol.ApplyResponse{New: &protocol.InstanceValue{
		Runtime: final.Runtime,
		Placement: shape.Value(final.Placement, map[string]cty.Value{
			attrPID:          cty.NumberIntVal(int64(proc.PID)),
			attrConfigPath:   cty.StringVal(dir.Config),
			attrLogPath:      cty.StringVal(dir.Log),
			attrAdmin:        cty.StringVal(admin),
			attrBinarySHA256: cty.StringVal(binary.SHA256),
		}),
	}}
}

// update writes the new configuration and has the running process reload it.
func (p *placement) update(ctx context.Context, kind appliance.Kind, prior, final protocol.InstanceValue, progress sdk.Progress) *protocol.ApplyResponse {
	keep := func(diags protocol.Diagnostics) *protocol.ApplyResponse {
		return &protocol.ApplyResponse{New: &prior, Diagnostics: diags}
	}
	rendered, diags := runtimes.Render(kind, final.Runtime)
	if diags.HasErrors() {
		return keep(diags)
	}
	pid := pidAttr(prior.Placement)
	configPath := shape.String(prior.Placement, attrConfigPath)
	previous, err := os.ReadFile(configPath)
	if err != nil {
		return keep(diags.FromErr("cannot read current runtime configuration", err))
	}
	if err := atomicfile.Write(configPath, rendered.Data, 0o600); err != nil {
		return keep(diags.FromErr("cannot write runtime configuration", err))
	}
	progress("reloading %s (pid %d) with SIGHUP", kind.Binary, pid)
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		_ = atomicfile.Write(configPath, previous, 0o600)
		return keep(diags.FromErr("cannot signal "+kind.Binary, fmt.Errorf("SIGHUP pid %d: %w", pid, err)))
	}

	dir := instanceDir{Path: filepath.Dir(configPath), Config: configPath, Log: shape.String(prior.Placement, attrLogPath)}
	client := runtimes.NewClient(shape.String(prior.Placement, attrAdmin), dir.Path)
	running := runtimes.Process{Alive: func() bool { return ownsProcess(pid, configPath) }}
	if err := runtimes.WaitLoaded(ctx, client, running, rendered.SHA256(), p.reloadTimeout); err != nil {
		if !ownsProcess(pid, configPath) {
			return &protocol.ApplyResponse{Diagnostics: startFailure(kind, pid, dir, err)}
		}
		// Put the previous file back so that state, file and process agree again: the
		// process still runs the configuration it had.
		_ = atomicfile.Write(configPath, previous, 0o600)
		return keep(diags.Errorf(kind.Binary+" did not load the new configuration",
			"%s (pid %d) still runs its previous configuration: %v. See %s; the last lines are:\n%s",
			kind.Binary, pid, err, dir.Log, lastLines(dir.Log, logTailLines)))
	}
	progress("%s (pid %d) runs the new configuration", kind.Binary, pid)
	return &protocol.ApplyResponse{New: &protocol.InstanceValue{
		Runtime:   final.Runtime,
		Placement: shape.Value(final.Placement, shape.ComputedOf(prior.Placement)),
	}}
}

// startFailure explains why a runtime did not come up, quoting its log.
func startFailure(kind appliance.Kind, pid int, dir instanceDir, err error) protocol.Diagnostics {
	summary := kind.Binary + " did not become healthy"
	if errors.Is(err, runtimes.ErrProcessExited) {
		summary = kind.Binary + " exited"
	}
	return protocol.Diagnostics{}.Errorf(summary, "%s (pid %d): %v. The last lines of %s:\n%s",
		kind.Binary, pid, err, dir.Log, lastLines(dir.Log, logTailLines))
}

// envAttr returns the env attribute of a placement object as a Go map.
func envAttr(placement cty.Value) (map[string]string, protocol.Diagnostics) {
	v, _ := shape.Attr(placement, attrEnv).UnmarkDeep()
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsWhollyKnown() {
		return nil, protocol.Diagnostics{}.Errorf("env is not known", "Every env value must be known at apply time.")
	}
	env := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, val := it.Element()
		if val.IsNull() {
			continue
		}
		env[k.AsString()] = val.AsString()
	}
	return env, nil
}

// readPIDFile returns the pid recorded in an instance directory, 0 when there is none.
func readPIDFile(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0
	}
	return pid
}
