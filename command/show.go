package command

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/rampart-sec/rampart/engine"
	"github.com/rampart-sec/rampart/engine/state"
	"github.com/rampart-sec/rampart/plans/planfile"
	"github.com/rampart-sec/rampart/plans/render"
	"github.com/rampart-sec/rampart/version"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

func init() {
	register(&cmd{
		name:     "show",
		synopsis: "Show the state or a saved plan",
		usage: `Usage: rampart show [-json] [PLANFILE]

Without an argument, shows every appliance in state with its recorded attributes.
With PLANFILE, shows the saved plan. Sensitive values are shown as (sensitive).

Options:
  -json   machine-readable output (sensitive values are null and flagged)

Examples:
  rampart show
  rampart show -json plans/next.plan | jq '.changes[].action'
`,
		run: runShow,
	})
	register(&cmd{
		name:     "output",
		synopsis: "Show output values from state",
		usage: `Usage: rampart output [-json] [NAME]

Prints the outputs recorded by the last apply. With NAME, prints that value alone
(strings without quotes, handy in scripts); sensitive values are printed only when
asked for by name.

Examples:
  rampart output
  curl "$(rampart output waf_url)/"
`,
		run: runOutput,
	})
	register(&cmd{
		name:     "status",
		synopsis: "Show every appliance's health and address, as observed now",
		usage: `Usage: rampart status [-json]

Asks each provider what really runs now and prints one row per appliance in state:
kind, name, provider, health and address. "gone" means it no longer runs; "rampart
plan" will show it for re-creation.

Example:
  rampart status
`,
		run: runStatus,
	})
	register(&cmd{
		name:     "version",
		synopsis: "Show the rampart version",
		usage:    "Usage: rampart version\n\nPrints the version of rampart and of the Go toolchain that built it.\n\nExample:\n  rampart version\n",
		run: func(m *meta, args []string) int {
			c := commands["version"]
			if done, code := c.parse(m, c.flags(m), args); done {
				return code
			}
			m.printf("rampart v%s\non %s %s/%s\n", strings.TrimPrefix(version.Version, "v"), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return 0
		},
	})
}

func runShow(m *meta, args []string) int {
	c := commands["show"]
	fs := c.flags(m)
	asJSON := fs.Bool("json", false, "")
	if done, code := c.parse(m, fs, args); done {
		return code
	}
	if fs.NArg() == 1 {
		p, err := planfile.Read(fs.Arg(0))
		if err != nil {
			return m.errorf("%v", err)
		}
		if *asJSON {
			if err := render.PlanJSON(m.streams.Out, p); err != nil {
				return m.errorf("%v", err)
			}
			return 0
		}
		if err := render.Plan(m.streams.Out, p, render.Options{Color: m.color()}); err != nil {
			return m.errorf("render plan: %v", err)
		}
		return 0
	}
	if fs.NArg() > 1 {
		return m.errorf("show takes at most one argument, a plan file")
	}
	s, code := m.readState()
	if s == nil {
		return code
	}
	if *asJSON {
		b, err := s.RedactedJSON()
		if err != nil {
			return m.errorf("%v", err)
		}
		m.printf("%s\n", b)
		return 0
	}
	if len(s.Instances) == 0 {
		m.printf("The state is empty: no appliances are managed here yet.\n")
		return 0
	}
	if err := state.RenderState(m.streams.Out, s); err != nil {
		return m.errorf("render state: %v", err)
	}
	return 0
}

// readState opens the engine only to reach the configured backend and reads the state.
func (m *meta) readState() (*state.State, int) {
	e, ok := m.openWith(engine.Options{})
	if !ok {
		return nil, 1
	}
	defer e.Close()
	s, err := e.States().Load(context.Background())
	if err != nil {
		return nil, m.errorf("read state %s: %v", e.StatePath(), err)
	}
	return s, 0
}

func runOutput(m *meta, args []string) int {
	c := commands["output"]
	fs := c.flags(m)
	asJSON := fs.Bool("json", false, "")
	if done, code := c.parse(m, fs, args); done {
		return code
	}
	s, code := m.readState()
	if s == nil {
		return code
	}
	if fs.NArg() == 1 {
		name := fs.Arg(0)
		o, ok := s.Outputs[name]
		if !ok {
			return m.errorf("no output named %q in state; run \"rampart output\" to list them", name)
		}
		v, _ := o.Value.UnmarkDeep()
		if *asJSON {
			b, err := ctyjson.Marshal(v, v.Type())
			if err != nil {
				return m.errorf("%v", err)
			}
			m.printf("%s\n", b)
			return 0
		}
		if v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			m.printf("%s\n", v.AsString())
			return 0
		}
		m.printf("%s\n", render.Value(v))
		return 0
	}
	names := make([]string, 0, len(s.Outputs))
	for n := range s.Outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	if *asJSON {
		doc := map[string]any{}
		for _, n := range names {
			o := s.Outputs[n]
			entry := map[string]any{"sensitive": o.Sensitive, "value": nil}
			if !o.Sensitive {
				v, _ := o.Value.UnmarkDeep()
				b, err := ctyjson.Marshal(v, v.Type())
				if err == nil {
					entry["value"] = json.RawMessage(b)
				}
			}
			doc[n] = entry
		}
		b, _ := json.MarshalIndent(doc, "", "  ")
		m.printf("%s\n", b)
		return 0
	}
	if len(names) == 0 {
		m.printf("No outputs. Declare output blocks and apply to record them.\n")
		return 0
	}
	printOutputList(m, s.Outputs)
	return 0
}

func printOutputs(m *meta, e *engine.Engine) {
	outputs := e.States().Current().Outputs
	if len(outputs) == 0 {
		return
	}
	m.printf("\nOutputs:\n\n")
	printOutputList(m, outputs)
}

// printOutputList prints name = value lines, sorted, hiding sensitive values.
func printOutputList(m *meta, outputs map[string]*state.Output) {
	names := make([]string, 0, len(outputs))
	for n := range outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o := outputs[n]
		if o.Sensitive {
			m.printf("%s = (sensitive)\n", n)
			continue
		}
		m.printf("%s = %s\n", n, render.Value(o.Value))
	}
}

func runStatus(m *meta, args []string) int {
	c := commands["status"]
	fs := c.flags(m)
	asJSON := fs.Bool("json", false, "")
	if done, code := c.parse(m, fs, args); done {
		return code
	}
	e, ok := m.openWith(engine.Options{Refresh: true})
	if !ok {
		return 1
	}
	defer e.Close()
	rows, diags := e.Status(context.Background())
	m.diags(diags)
	if diags.HasErrors() {
		return 1
	}
	if *asJSON {
		b, _ := json.MarshalIndent(rows, "", "  ")
		m.printf("%s\n", b)
		return 0
	}
	if len(rows) == 0 {
		m.printf("No appliances in state. Run \"rampart apply\" to create the ones in the configuration.\n")
		return 0
	}
	m.outMu.Lock()
	defer m.outMu.Unlock()
	tw := tabwriter.NewWriter(m.streams.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tPROVIDER\tHEALTH\tADDRESS\tDETAIL")
	for _, r := range rows {
		name := strings.TrimPrefix(r.Address, r.Kind+".")
		endpoint := r.Endpoint
		if endpoint == "" {
			endpoint = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Kind, name, strings.TrimPrefix(r.Provider, "provider."), r.Health, endpoint, r.Detail)
	}
	_ = tw.Flush()
	// Each appliance's own health view (a WAF's pool members, as its /status reports them),
	// below the table so long member names do not stretch its columns.
	for _, r := range rows {
		if len(r.Components) == 0 && len(r.Facts) == 0 {
			continue
		}
		fmt.Fprintf(m.streams.Out, "\n%s:\n", r.Address)
		ctw := tabwriter.NewWriter(m.streams.Out, 0, 0, 2, ' ', 0)
		for _, f := range r.Facts {
			fmt.Fprintf(ctw, "  %s:\t%s\n", f.Name, f.Value)
		}
		for _, c := range r.Components {
			fmt.Fprintf(ctw, "  %s\t%s\t%s\n", c.Name, c.Health, c.Detail)
		}
		_ = ctw.Flush()
	}
	return 0
}
