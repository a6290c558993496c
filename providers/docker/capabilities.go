package docker

import (
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// knownCapabilities are the Linux capabilities Docker accepts in cap_add, without the
// CAP_ prefix (capabilities(7)).
var knownCapabilities = []string{
	"AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE",
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER",
	"KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN",
	"NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP",
	"SETUID", "SYSLOG", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE",
	"SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG",
	"WAKE_ALARM",
}

// capAdd reads cap_add: capability names, upper case without the CAP_ prefix, each one
// checked against knownCapabilities. Unknown values are an error naming the attribute.
func capAdd(pl cty.Value) ([]string, protocol.Diagnostics) {
	v, _ := shape.Attr(pl, attrCapAdd).UnmarkDeep()
	if v.IsNull() || !v.IsWhollyKnown() {
		return nil, nil
	}
	var out []string
	var diags protocol.Diagnostics
	for it := v.ElementIterator(); it.Next(); {
		_, elem := it.Element()
		if elem.IsNull() {
			continue
		}
		name := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(elem.AsString())), "CAP_")
		if !isKnownCapability(name) {
			diags = append(diags, protocol.Diagnostic{
				Severity: protocol.Error,
				Summary:  "unknown capability",
				Detail: fmt.Sprintf("cap_add names %q, which is not a Linux capability. Use names like NET_RAW or NET_ADMIN; known: %s.",
					elem.AsString(), strings.Join(knownCapabilities, ", ")),
				Attribute: cty.GetAttrPath("placement").GetAttr(attrCapAdd),
			})
			continue
		}
		out = append(out, name)
	}
	return out, diags
}

func isKnownCapability(name string) bool {
	for _, known := range knownCapabilities {
		if name == known {
			return true
		}
	}
	return false
}
