package plans

import (
	"time"

	"github.com/zclconf/go-cty/cty"
)

// FormatVersion is the version of the saved plan file format.
const FormatVersion = 1

// Plan is everything `rampart plan` decided.
type Plan struct {
	// RampartVersion made the plan; apply refuses a plan from another version.
	RampartVersion string
	CreatedAt      time.Time
	// ConfigHash is the SHA-256 of the configuration files and variable values the plan
	// was made from; apply refuses the plan when the configuration changed since.
	ConfigHash string
	// StateLineage and StateSerial identify the state the plan was made against; apply
	// refuses the plan when the state moved on.
	StateLineage string
	StateSerial  uint64
	// Destroy marks a plan made by `rampart destroy` (or `plan -destroy`).
	Destroy bool
	// Variables holds the values of non-sensitive input variables, so `apply PLANFILE`
	// evaluates the configuration exactly as the plan did. Sensitive variables are never
	// stored; apply reads them again and checks them against ConfigHash.
	Variables map[string]cty.Value
	// Changes has one entry per appliance instance in config or state, sorted by address.
	Changes []*Change
	// Drift lists instances that changed outside rampart since the last apply.
	Drift []*Drift
	// Outputs are the planned output values.
	Outputs []*OutputChange
}

// Change is the planned change of one appliance instance.
type Change struct {
	Address   string // waf.shop, waf.edge["eu"], waf.pool[0]
	Kind      string // waf
	Provider  string // provider configuration address, e.g. provider.local or provider.docker.dmz
	Placement string // placement block type, e.g. local
	Action    Action
	// Before is the instance as it exists (after refresh), cty.NullVal when it does not.
	// After is the planned instance, possibly with unknown values, null on delete. Both
	// are objects with the attributes "runtime" and "placement", and may carry the
	// "sensitive" mark on any nested value.
	Before cty.Value
	After  cty.Value
	// RequiresReplace lists the paths whose change forces the replacement.
	RequiresReplace []cty.Path
	// Details are the provider's readable sub-changes (e.g. "reload with SIGHUP").
	Details []string
	// Private is provider data passed from Plan to Apply untouched.
	Private []byte
	// Dependencies are the addresses of instances this one depends on.
	Dependencies []string
	// Reason says why, when not obvious: "deleted outside rampart", "no longer in configuration".
	Reason string
}

// Drift is an instance whose observed value differs from what the last apply recorded.
type Drift struct {
	Address string
	Before  cty.Value // as recorded in state
	After   cty.Value // as observed now; null when it disappeared
}

// OutputChange is a planned output value.
type OutputChange struct {
	Name      string
	Action    Action
	Before    cty.Value
	After     cty.Value // may be unknown
	Sensitive bool
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != NoOp {
			return true
		}
	}
	for _, o := range p.Outputs {
		if o.Action != NoOp {
			return true
		}
	}
	return false
}

// Summary counts the changes by kind of action.
type Summary struct {
	Add, Change, Destroy int
}

// Summary counts the planned instance changes; a replacement counts as one add and one
// destroy, as in Terraform.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Add++
		case Update:
			s.Change++
		case Delete:
			s.Destroy++
		case DeleteThenCreate, CreateThenDelete:
			s.Add++
			s.Destroy++
		}
	}
	return s
}
