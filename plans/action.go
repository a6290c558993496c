// Package plans is the plan model: what `rampart plan` proposes and `rampart apply`
// executes. A Plan is a list of per-instance Changes plus the output values, bound to the
// configuration and state it was made from so a stale plan is never applied.
package plans

// Action is what apply will do to one instance.
type Action string

const (
	NoOp   Action = "no-op"
	Create Action = "create"
	Update Action = "update" // in place
	// DeleteThenCreate replaces an instance, deleting the old one first (the default).
	DeleteThenCreate Action = "delete-then-create"
	// CreateThenDelete replaces an instance with lifecycle { create_before_destroy = true }.
	CreateThenDelete Action = "create-then-delete"
	Delete           Action = "delete"
)

// IsReplace reports whether the action replaces an instance.
func (a Action) IsReplace() bool { return a == DeleteThenCreate || a == CreateThenDelete }

// Symbol is the marker shown before an instance in the human diff.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case DeleteThenCreate:
		return "-/+"
	case CreateThenDelete:
		return "+/-"
	case Delete:
		return "-"
	default:
		return " "
	}
}
