package docker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/docker/docker/api/types/mount"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// volumeMounts reads the volume blocks: an absolute source is a bind mount of a host
// directory, anything else a named volume (Docker creates it when missing; rampart never
// removes it, it holds the appliance's data).
func volumeMounts(pl cty.Value) ([]mount.Mount, protocol.Diagnostics) {
	v, _ := shape.Attr(pl, attrVolume).UnmarkDeep()
	if v.IsNull() || !v.IsWhollyKnown() {
		return nil, nil
	}
	var out []mount.Mount
	var diags protocol.Diagnostics
	for it := v.ElementIterator(); it.Next(); {
		i, block := it.Element()
		path := cty.GetAttrPath("placement").GetAttr(attrVolume).Index(i)
		source, target := objString(block, "source"), objString(block, "target")
		readOnly := false
		if b := block.GetAttr("read_only"); !b.IsNull() {
			readOnly = b.True()
		}
		if !strings.HasPrefix(target, "/") || target == "/" || filepath.Clean(target) == containerConfigDir {
			diags = append(diags, protocol.Diagnostic{Severity: protocol.Error, Summary: "invalid volume target",
				Detail: fmt.Sprintf("volume target %q: give an absolute path in the container other than / and %s (rampart's configuration directory).",
					target, containerConfigDir),
				Attribute: path.GetAttr("target")})
			continue
		}
		m := mount.Mount{Source: source, Target: target, ReadOnly: readOnly, Type: mount.TypeVolume}
		switch {
		case strings.HasPrefix(source, "/"):
			m.Type = mount.TypeBind
		case source == "" || strings.ContainsAny(source, `/\:`):
			diags = append(diags, protocol.Diagnostic{Severity: protocol.Error, Summary: "invalid volume source",
				Detail:    fmt.Sprintf("volume source %q: give an absolute host path (/srv/scanner/shared) or a volume name (scanner_private).", source),
				Attribute: path.GetAttr("source")})
			continue
		}
		out = append(out, m)
	}
	return out, diags
}

// socketGroup is the group id owning the engine's unix socket, which the container joins
// when dockerd_socket is set: the runtime runs as nobody and the socket is usually
// root:docker 0660. ok is false when the engine is not a local unix socket (a remote
// engine's socket cannot be looked at from here).
func socketGroup(host string) (gid string, ok bool) {
	path, isUnix := strings.CutPrefix(host, "unix://")
	if !isUnix {
		return "", false
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	st, isUnixStat := info.Sys().(*syscall.Stat_t)
	if !isUnixStat {
		return "", false
	}
	return strconv.FormatUint(uint64(st.Gid), 10), true
}
