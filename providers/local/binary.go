package local

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/zclconf/go-cty/cty"
)

// binaryNotFound is the diagnostic for a missing runtime binary; it says where rampart
// looked and how to get the binary.
func binaryNotFound(name, detail string) protocol.Diagnostics {
	return protocol.Diagnostics{{
		Severity:  protocol.Error,
		Summary:   name + " binary not found",
		Detail:    detail,
		Attribute: cty.GetAttrPath("placement").GetAttr(attrBinary),
	}}
}

// findBinary locates the runtime binary: the `binary` attribute when set, otherwise
// name next to the provider's own executable, then in $PATH.
func findBinary(name, configured string) (string, protocol.Diagnostics) {
	if configured != "" {
		abs, err := filepath.Abs(configured)
		if err == nil && runtimes.IsExecutableFile(abs) {
			return abs, nil
		}
		return "", binaryNotFound(name, fmt.Sprintf(
			"binary = %q is not an executable file. Set binary to the path of a %s build, or remove it to use the %s built by `make build`.",
			configured, name, name))
	}
	var dirs []string
	if dir := runtimes.ProviderDir(); dir != "" {
		dirs = append(dirs, dir)
	}
	path, looked := runtimes.FindBinary(name, dirs, true)
	if path != "" {
		return path, nil
	}
	return "", binaryNotFound(name, fmt.Sprintf(
		"Looked for %s at %s. Run `make build` to build the runtimes next to rampart, or set binary in the local block.",
		name, strings.Join(looked, " and ")))
}

// resolveBinary finds and hashes the runtime binary.
func resolveBinary(name, configured string) (runtimes.Binary, protocol.Diagnostics) {
	path, diags := findBinary(name, configured)
	if diags.HasErrors() {
		return runtimes.Binary{}, diags
	}
	sum, err := runtimes.BinarySHA256(path)
	if err != nil {
		return runtimes.Binary{}, diags.FromErr("cannot read "+name+" binary", err)
	}
	return runtimes.Binary{Path: path, SHA256: sum}, nil
}
