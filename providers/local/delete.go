package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/providers/sdk"
)

// Delete stops the runtime process (SIGTERM, then SIGKILL after a grace period) and
// removes the instance directory. An instance that is already gone is deleted.
func (p *placement) Delete(_ context.Context, req *protocol.ApplyRequest, progress sdk.Progress) protocol.Diagnostics {
	var diags protocol.Diagnostics
	if req.Prior == nil {
		return nil
	}
	binary := "runtime"
	if kind, ok := lookupKindName(req.Instance.Kind); ok {
		binary = kind
	}
	pid := pidAttr(req.Prior.Placement)
	configPath := shape.String(req.Prior.Placement, attrConfigPath)
	if ownsProcess(pid, configPath) {
		progress("stopping %s (pid %d)", binary, pid)
		if err := stopProcess(pid, configPath, p.stopGrace); err != nil {
			return diags.FromErr("cannot stop "+binary, err)
		}
	}

	dir, ok := ownDir(req.Instance.Address, configPath)
	if !ok {
		// Imported from elsewhere: the files are not the provider's to remove.
		return nil
	}
	// With create_before_destroy the replacement may already run from this directory:
	// leave the directory to it.
	if other := readPIDFile(dir.PID); other != pid && ownsProcess(other, dir.Config) {
		progress("keeping %s: it belongs to the new process (pid %d)", dir.Path, other)
		return nil
	}
	if err := os.RemoveAll(dir.Path); err != nil {
		return diags.FromErr("cannot remove instance directory", fmt.Errorf("remove %s: %w", dir.Path, err))
	}
	return nil
}

// ownDir returns the instance directory holding configPath when it is one the provider
// created for address (<state_dir>/<dirName(address)>/config.json). It never trusts an
// arbitrary path from state, as the directory is about to be removed; the state
// directory itself may have moved since, so it is not required to be the current one.
func ownDir(address, configPath string) (instanceDir, bool) {
	if configPath == "" || !filepath.IsAbs(configPath) || filepath.Base(configPath) != configFileName {
		return instanceDir{}, false
	}
	dir := filepath.Dir(configPath)
	if filepath.Base(dir) != dirName(address) {
		return instanceDir{}, false
	}
	return newInstanceDir(filepath.Dir(dir), address), true
}

// lookupKindName returns the runtime binary name of a kind, for messages.
func lookupKindName(name string) (string, bool) {
	kind, diags := runtimes.LookupKind("local", name)
	return kind.Binary, !diags.HasErrors()
}
