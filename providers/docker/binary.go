package docker

import (
	"strings"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
)

// findBinary locates the runtime binary name: in dir when set, otherwise next to the
// provider's own executable, then in $PATH (as the local provider does).
func findBinary(name, dir string) (string, protocol.Diagnostics) {
	var dirs []string
	if dir != "" {
		dirs = []string{dir}
	} else if own := runtimes.ProviderDir(); own != "" {
		dirs = []string{own}
	}
	path, looked := runtimes.FindBinary(name, dirs, dir == "")
	if path != "" {
		return path, nil
	}
	return "", protocol.Diagnostics{}.Errorf(name+" binary not found",
		"The docker provider builds its image from the runtime binary; it looked for %s at %s. "+
			"Run `make build` to build the runtimes next to rampart, or set image in the docker block.", name, strings.Join(looked, " and "))
}

// resolveBinary finds and hashes the runtime binary name.
func resolveBinary(name, dir string) (runtimes.Binary, protocol.Diagnostics) {
	path, diags := findBinary(name, dir)
	if diags.HasErrors() {
		return runtimes.Binary{}, diags
	}
	sum, err := runtimes.BinarySHA256(path)
	if err != nil {
		return runtimes.Binary{}, diags.FromErr("cannot read "+name+" binary", err)
	}
	return runtimes.Binary{Path: path, SHA256: sum}, nil
}
