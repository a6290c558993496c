package command

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/rampart-sec/rampart/engine"
	"github.com/rampart-sec/rampart/plans"
	"github.com/rampart-sec/rampart/plans/planfile"
	"github.com/rampart-sec/rampart/plans/render"
)

func init() {
	register(&cmd{
		name:     "apply",
		synopsis: "Create or update appliances to match the configuration",
		usage: `Usage: rampart apply [options] [PLANFILE]

Without PLANFILE: plans, shows the plan and asks for confirmation before changing
anything. With PLANFILE (from "rampart plan -out"): applies exactly that plan, without
planning again and without asking; a plan made against an older state or configuration
is refused.

State is saved after every appliance, so an interrupted apply loses nothing. Ctrl-C
once finishes the steps in flight and stops; twice aborts them.

Options:
  -auto-approve         do not ask for confirmation
  -refresh=false        trust state instead of observing what runs
  -var 'name=value'     set a variable (repeatable)
  -var-file=FILE        read variables from a file (repeatable)
  -parallelism=N        at most N provider operations at once (default 10)
  -lock-timeout=DUR     wait up to DUR for the state lock (default: fail at once)
  -no-color             no colours

Examples:
  rampart apply
  rampart apply -auto-approve -var 'listen_port=8443'
  rampart plan -out next.plan && rampart apply next.plan
`,
		run: func(m *meta, args []string) int { return runApply(m, args, false) },
	})
	register(&cmd{
		name:     "destroy",
		synopsis: "Destroy every appliance rampart manages here",
		usage: `Usage: rampart destroy [options]

Plans the deletion of every appliance in state, in reverse dependency order, shows it
and asks for confirmation. Equivalent to "rampart plan -destroy" followed by apply.

Options:
  -auto-approve         do not ask for confirmation
  -var, -var-file, -parallelism, -lock-timeout, -refresh, -no-color: as for apply

Example:
  rampart destroy -auto-approve
`,
		run: func(m *meta, args []string) int { return runApply(m, args, true) },
	})
}

func runApply(m *meta, args []string, destroy bool) int {
	name := "apply"
	if destroy {
		name = "destroy"
	}
	c := commands[name]
	fs := c.flags(m)
	autoApprove := fs.Bool("auto-approve", false, "")
	refresh := fs.Bool("refresh", true, "")
	m.varFlags(fs)
	m.opFlags(fs)
	if done, code := c.parse(m, fs, args); done {
		return code
	}
	var saved *plans.Plan
	switch {
	case fs.NArg() > 1:
		return m.errorf("%s takes at most one argument, a plan file", name)
	case fs.NArg() == 1 && destroy:
		return m.errorf("destroy takes no plan file; use \"rampart apply %s\" for a saved destroy plan", fs.Arg(0))
	case fs.NArg() == 1:
		p, err := planfile.Read(fs.Arg(0))
		if err != nil {
			return m.errorf("%v", err)
		}
		saved = p
	}

	opts := engine.Options{Refresh: *refresh}
	if saved != nil {
		opts.PlanVariables = saved.Variables
	}
	e, ok := m.openWith(opts)
	if !ok {
		return 1
	}
	defer e.Close()

	unlock, code := m.lock(e, name)
	if unlock == nil {
		return code
	}
	defer func() {
		if err := unlock(); err != nil {
			m.errorf("%v", err)
		}
	}()

	ctx, stop := m.interruptible(e)
	defer stop()

	p := saved
	if p == nil {
		planned, pd := e.Plan(ctx, engine.PlanOptions{Destroy: destroy})
		m.diags(pd)
		if pd.HasErrors() {
			return 1
		}
		p = planned
		if err := render.Plan(m.streams.Out, p, render.Options{Color: m.color()}); err != nil {
			return m.errorf("render plan: %v", err)
		}
		if !p.HasChanges() {
			return 0
		}
		if !*autoApprove {
			question := "Do you want to perform these actions?"
			if destroy {
				question = "Do you really want to destroy all appliances?"
			}
			if !m.confirm(question) {
				m.printf("\n%s cancelled.\n", map[bool]string{false: "Apply", true: "Destroy"}[destroy])
				return 1
			}
		}
		m.printf("\n")
	} else if err := e.CheckPlan(ctx, p); err != nil {
		return m.errorf("%v", err)
	}

	diags := e.Apply(ctx, p)
	m.diags(diags)
	if diags.HasErrors() {
		if ctx.Err() != nil || interruptedDiag(diags) {
			m.errorf("apply interrupted. State was saved after every completed step; run \"rampart plan\" to see what remains.")
		}
		return 1
	}
	m.printf("\n%s\n", summaryLine(p, p.Destroy))
	if !p.Destroy {
		printOutputs(m, e)
	}
	return 0
}

func interruptedDiag(diags hcl.Diagnostics) bool {
	for _, d := range diags {
		if d.Summary == "Apply interrupted" {
			return true
		}
	}
	return false
}
