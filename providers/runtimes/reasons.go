package runtimes

import (
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Reasons collects why an existing instance cannot take a change by reload and needs a new
// process or container: the paths for PlanResponse.RequiresReplace and readable details.
type Reasons struct {
	Verb    string // "restart" or "replace", the first word of each detail
	Paths   []cty.Path
	Details []string
}

// Add records one reason.
func (r *Reasons) Add(path cty.Path, detail string) {
	r.Paths = append(r.Paths, path)
	r.Details = append(r.Details, r.Verb+": "+detail)
}

// AddRuntime records the runtime settings a reload cannot apply: those the runtime reads
// only at start-up (RestartFields) and that differ between the running configuration and
// desired. desired is nil when the new configuration is not known until apply; then the
// worst is assumed.
func (r *Reasons) AddRuntime(kind appliance.Kind, desired appliance.Config, running cty.Value, runtimeChanged bool) {
	runtimePath := cty.GetAttrPath("runtime")
	switch {
	case !runtimeChanged:
		return
	case desired == nil:
		r.Add(runtimePath, "runtime configuration is known only after apply")
		return
	}
	prev := ParseRunning(kind, running)
	if prev == nil {
		r.Add(runtimePath, "the running configuration cannot be read back")
		return
	}
	fields := desired.RestartFields(prev)
	for _, field := range fields {
		path := runtimePath
		for _, name := range strings.Split(field, ".") {
			path = path.GetAttr(name)
		}
		r.Paths = append(r.Paths, path)
	}
	if len(fields) > 0 {
		r.Details = append(r.Details, fmt.Sprintf("%s: %s changed", r.Verb, strings.Join(fields, ", ")))
	}
}

// ParseRunning parses the configuration an instance was observed with; nil when it cannot
// be read back.
func ParseRunning(kind appliance.Kind, runtime cty.Value) appliance.Config {
	plain, _ := runtime.UnmarkDeep()
	if plain.IsNull() || !plain.IsWhollyKnown() {
		return nil
	}
	data, err := ctyjson.Marshal(plain, plain.Type())
	if err != nil {
		return nil
	}
	parsed, err := kind.Parse(data)
	if err != nil {
		return nil
	}
	return parsed
}

// LookupKind finds the appliance kind of an instance; provider names the provider in
// the error.
func LookupKind(provider, name string) (appliance.Kind, protocol.Diagnostics) {
	kind, ok := appliance.Lookup(name)
	if !ok {
		return kind, protocol.Diagnostics{}.Errorf("unknown appliance kind",
			"The %s provider runs %s; %q is none of them.", provider, strings.Join(appliance.Names(), ", "), name)
	}
	return kind, nil
}
