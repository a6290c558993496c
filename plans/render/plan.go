package render

import (
	"fmt"
	"io"

	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/plans"
)

// Options changes how Plan renders.
type Options struct {
	// Color adds ANSI colors: green +, red -, yellow ~.
	Color bool
}

// Plan writes the human diff of p, in the style of `terraform plan`: drift first, then
// one block per changed instance showing only what changes, then the output changes and
// the summary line.
func Plan(w io.Writer, p *plans.Plan, opts Options) error {
	pr := &printer{symbols: true, color: opts.Color}
	if len(p.Drift) > 0 {
		pr.driftSection(p)
	}
	var changes []*plans.Change
	for _, c := range p.Changes {
		if c.Action != plans.NoOp {
			changes = append(changes, c)
		}
	}
	if len(changes) > 0 {
		pr.text("rampart will perform the following actions:\n\n")
		for _, c := range changes {
			pr.change(c)
			pr.blank()
		}
	}
	pr.outputs(p.Outputs)
	if !p.HasChanges() {
		pr.text("%s\n", pr.paint(ansiBold, "No changes. Your appliances match the configuration."))
		return pr.flush(w)
	}
	s := p.Summary()
	pr.text("%s %d to add, %d to change, %d to destroy.\n", pr.paint(ansiBold, "Plan:"), s.Add, s.Change, s.Destroy)
	return pr.flush(w)
}

// headline says what happens to an instance, after its address.
func headline(a plans.Action) string {
	switch a {
	case plans.Create:
		return "will be created"
	case plans.Update:
		return "will be updated in-place"
	case plans.DeleteThenCreate:
		return "must be replaced"
	case plans.CreateThenDelete:
		return "must be replaced (create before destroy)"
	case plans.Delete:
		return "will be destroyed"
	}
	return "is unchanged"
}

func (pr *printer) change(c *plans.Change) {
	pr.comment(c.Address + " " + headline(c.Action))
	if c.Reason != "" {
		pr.note("(because " + c.Reason + ")")
	}
	for _, d := range c.Details {
		pr.note(d)
	}
	pr.replace = c.RequiresReplace
	defer func() { pr.replace = nil }()
	pr.line(0, c.Action.Symbol(), blockHeader(c.Address, c.Kind)+" {")
	switch c.Action {
	case plans.Create:
		pr.instanceWhole(1, "+", c.Placement, c.After)
	case plans.Delete:
		pr.instanceWhole(1, "-", c.Placement, c.Before)
	default:
		pr.instanceDiff(1, c.Placement, c.Before, c.After)
	}
	pr.line(0, "", "}")
}

func (pr *printer) driftSection(p *plans.Plan) {
	placements := map[string]string{}
	kinds := map[string]string{}
	for _, c := range p.Changes {
		placements[c.Address], kinds[c.Address] = c.Placement, c.Kind
	}
	pr.text("%s\n\n", pr.paint(ansiBold, "Objects changed outside rampart"))
	pr.text("rampart found these differences between the last apply and what runs now:\n\n")
	for _, d := range p.Drift {
		placement := placements[d.Address]
		header := blockHeader(d.Address, kinds[d.Address]) + " {"
		switch {
		case isNullish(d.After):
			pr.comment(d.Address + " has been deleted")
			pr.line(0, "-", header)
			pr.instanceWhole(1, "-", placement, d.Before)
		default:
			pr.comment(d.Address + " has changed")
			pr.line(0, "~", header)
			pr.instanceDiff(1, placement, d.Before, d.After)
		}
		pr.line(0, "", "}")
		pr.blank()
	}
}

func (pr *printer) outputs(outputs []*plans.OutputChange) {
	var changed []*plans.OutputChange
	width := 0
	for _, o := range outputs {
		if o.Action != plans.NoOp {
			changed = append(changed, o)
			width = max(width, len(o.Name))
		}
	}
	if len(changed) == 0 {
		return
	}
	pr.text("Changes to Outputs:\n")
	for _, o := range changed {
		before, after := orNull(o.Before), orNull(o.After)
		if o.Sensitive {
			before, after = before.Mark(sensitiveMark), after.Mark(sensitiveMark)
		}
		name := pad(o.Name, width)
		switch o.Action {
		case plans.Create:
			pr.whole(0, "+", name, after, nil, false)
		case plans.Delete:
			pr.whole(0, "-", name, before, nil, false)
		default:
			pr.diffOutput(name, before, after)
		}
	}
	pr.blank()
}

// diffOutput writes an updated output; unlike an attribute it is shown even when the
// values compare the same (the plan says it changes, e.g. it became sensitive).
func (pr *printer) diffOutput(name string, before, after cty.Value) {
	if same(before, after) && !before.HasMark(sensitiveMark) {
		pr.line(0, "~", fmt.Sprintf("%s = %s", name, Value(after)))
		return
	}
	pr.diff(0, name, before, after, nil, false)
}
