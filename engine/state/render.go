package state

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart/plans/render"
	"github.com/rampart-sec/rampart/providers/protocol"
)

// RenderState writes s for `rampart show`: every instance as an HCL-like block, then the
// outputs. Sensitive values read (sensitive).
func RenderState(w io.Writer, s *State) error {
	if s == nil || (len(s.Instances) == 0 && len(s.Outputs) == 0) {
		_, err := io.WriteString(w, "The state is empty: rampart manages no appliances yet.\n")
		return err
	}
	for i, inst := range s.Instances {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := RenderInstance(w, inst); err != nil {
			return err
		}
	}
	if len(s.Outputs) == 0 {
		return nil
	}
	var b strings.Builder
	if len(s.Instances) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("Outputs:\n\n")
	names := make([]string, 0, len(s.Outputs))
	width := 0
	for name := range s.Outputs {
		names = append(names, name)
		width = max(width, len(name))
	}
	sort.Strings(names)
	for _, name := range names {
		out := s.Outputs[name]
		v := out.Value
		if out.Sensitive {
			v = v.Mark(protocol.SensitiveMark)
		}
		fmt.Fprintf(&b, "%-*s = %s\n", width, name, render.Value(v))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderInstance writes one instance for `rampart state show ADDRESS`.
func RenderInstance(w io.Writer, inst *Instance) error {
	if _, err := fmt.Fprintf(w, "# %s: (%s)\n", inst.Address, inst.Provider); err != nil {
		return err
	}
	return render.Instance(w, inst.Address, inst.Kind, inst.Placement, inst.Value)
}
