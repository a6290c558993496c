package command

import (
	"context"
	"fmt"

	"github.com/rampart-sec/rampart/engine"
	"github.com/rampart-sec/rampart/plans"
	"github.com/rampart-sec/rampart/plans/planfile"
	"github.com/rampart-sec/rampart/plans/render"
)

func init() {
	register(&cmd{
		name:     "plan",
		synopsis: "Show what apply would change",
		usage: `Usage: rampart plan [options]

Compares the appliances declared in *.hcl with what really runs (refresh) and shows
the changes that "rampart apply" would make. Nothing is changed.

Options:
  -out=FILE             save the plan; "rampart apply FILE" then does exactly that
  -json                 print the plan as JSON (for CI and policy tools)
  -detailed-exitcode    exit 0 when nothing would change, 2 when something would, 1 on error
  -destroy              plan to destroy every appliance in state
  -refresh=false        trust state instead of observing what runs (faster, may miss drift)
  -var 'name=value'     set a variable (repeatable)
  -var-file=FILE        read variables from a file (repeatable; *.vars.hcl are read anyway)
  -parallelism=N        at most N provider operations at once (default 10)
  -no-color             no colours

Examples:
  rampart plan
  rampart plan -out plans/next.plan && rampart apply plans/next.plan
  rampart plan -detailed-exitcode -refresh=true   # in CI: exit 2 means drift
`,
		run: runPlan,
	})
}

func runPlan(m *meta, args []string) int {
	c := commands["plan"]
	fs := c.flags(m)
	out := fs.String("out", "", "")
	asJSON := fs.Bool("json", false, "")
	detailed := fs.Bool("detailed-exitcode", false, "")
	destroy := fs.Bool("destroy", false, "")
	refresh := fs.Bool("refresh", true, "")
	m.varFlags(fs)
	m.opFlags(fs)
	if done, code := c.parse(m, fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return m.errorf("plan takes no arguments (got %q); did you mean -out=%s?", fs.Arg(0), fs.Arg(0))
	}
	e, ok := m.openWith(engine.Options{Refresh: *refresh})
	if !ok {
		return 1
	}
	defer e.Close()
	p, diags := e.Plan(context.Background(), engine.PlanOptions{Destroy: *destroy})
	m.diags(diags)
	if diags.HasErrors() {
		return 1
	}
	if *asJSON {
		if err := render.PlanJSON(m.streams.Out, p); err != nil {
			return m.errorf("render plan: %v", err)
		}
	} else {
		if err := render.Plan(m.streams.Out, p, render.Options{Color: m.color()}); err != nil {
			return m.errorf("render plan: %v", err)
		}
	}
	if *out != "" {
		if err := planfile.Write(*out, p); err != nil {
			return m.errorf("save plan: %v", err)
		}
		if !*asJSON {
			m.printf("\nSaved the plan to %s. To perform exactly these actions, run:\n    rampart apply %s\n", *out, *out)
		}
	}
	if *detailed && p.HasChanges() {
		return 2
	}
	return 0
}

// summaryLine is the closing line of an apply.
func summaryLine(p *plans.Plan, destroyed bool) string {
	s := p.Summary()
	if destroyed {
		return fmt.Sprintf("Destroy complete! Appliances: %d destroyed.", s.Destroy)
	}
	return fmt.Sprintf("Apply complete! Appliances: %d added, %d changed, %d destroyed.", s.Add, s.Change, s.Destroy)
}
