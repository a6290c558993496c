// Package protocol is the contract between rampart's engine and provider plugins.
//
// The wire format is gRPC (rampart.proto, generated code in this package) carried by
// hashicorp/go-plugin. This file is the Go-level view of the same protocol: the engine's
// plugin client returns these types and providers/sdk hands them to provider authors, so
// neither side ever touches protobuf messages directly.
package protocol

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// Version is the protocol version both sides must agree on in the go-plugin handshake.
// Bump it on any incompatible change of rampart.proto.
//
// 2: Plan may leave out the prior value (prior_from_observe), the observed one
// (observed_is_prior) and the planned one (planned_is_observed), Observe the observed
// values (value_is_prior); a version 1 peer would read those as absent.
const Version = 2

// Provider is what a provider offers to the engine. The gRPC client (engine side) and the
// gRPC server (plugin side) both speak in terms of this interface.
type Provider interface {
	// GetSchema describes the provider block and every placement block the provider offers.
	GetSchema(ctx context.Context) (*ProviderSchema, Diagnostics)
	// ValidateConfig checks a provider block (Block == "provider") or a placement block
	// (Block == placement type) before anything is configured. Values may be unknown.
	ValidateConfig(ctx context.Context, req *ValidateRequest) Diagnostics
	// Configure hands the evaluated provider block to the provider. Called once per process.
	Configure(ctx context.Context, config cty.Value) Diagnostics
	// Observe reads, in bulk, what really exists for every instance the engine asks about.
	Observe(ctx context.Context, req *ObserveRequest) *ObserveResponse
	// Plan proposes the new state of one instance.
	Plan(ctx context.Context, req *PlanRequest) *PlanResponse
	// Apply creates, updates or deletes (Planned == nil) one instance, streaming progress.
	Apply(ctx context.Context, req *ApplyRequest, progress func(ApplyEvent)) *ApplyResponse
	// Read refreshes one instance.
	Read(ctx context.Context, req *ReadRequest) *ReadResponse
	// Import adopts something that already runs.
	Import(ctx context.Context, req *ImportRequest) *ImportResponse
	// Stop asks the provider to cancel in-flight work gracefully.
	Stop(ctx context.Context) error
}

// ProviderSchema describes a provider's configuration block and its placements.
type ProviderSchema struct {
	// Provider is the schema of the `provider "<name>" { ... }` block (alias excluded).
	Provider *Schema
	// Placements maps a placement block type (the block named after the provider inside an
	// appliance, e.g. `local { }`) to its schema.
	Placements map[string]*PlacementSchema
}

// PlacementSchema is the schema of one placement block.
type PlacementSchema struct {
	Block *Schema
	// Kinds lists the appliance kinds (waf, gateway, scanner, cdr_sensor) this placement can host.
	Kinds []string
	// Version is stored with each instance's state so a provider can upgrade old state.
	Version int64
}

// Schema describes an HCL block: its attributes and nested blocks.
type Schema struct {
	Description string
	Attributes  map[string]*Attribute
	BlockTypes  map[string]*NestedBlock
}

// Attribute describes one attribute of a block.
type Attribute struct {
	Type        cty.Type
	Description string
	Required    bool // must be set in configuration
	Optional    bool // may be set in configuration
	Computed    bool // set by the provider (may also be Optional)
	Sensitive   bool // never shown in plan output or logs
}

// NestingMode says how often a nested block may appear.
type NestingMode int

const (
	NestingSingle NestingMode = iota // at most once: value is an object (null when absent)
	NestingList                      // any number of times: value is a list of objects
)

// NestedBlock describes a block type that may appear inside another.
type NestedBlock struct {
	Block    Schema
	Nesting  NestingMode
	MinItems int
	MaxItems int
}

// Instance identifies one appliance instance to a provider.
type Instance struct {
	Address   string // e.g. waf.shop or waf.edge["eu"]
	Kind      string // waf, gateway, scanner, cdr_sensor
	Placement string // placement block type, e.g. local
	// Lineage is the state lineage; providers label what they create with it so that two
	// states never fight over the same objects.
	Lineage string
}

// InstanceValue is the full value of one appliance instance.
type InstanceValue struct {
	// Runtime is the appliance's runtime configuration: an object shaped like
	// runtime/<kind>/config.Config. Always known at apply time.
	Runtime cty.Value
	// Placement is the placement block's object, computed attributes included.
	Placement cty.Value
}

// ValidateRequest asks a provider to check a block.
type ValidateRequest struct {
	Block  string // "provider" or a placement type
	Kind   string // appliance kind, for placement blocks
	Config cty.Value
}

// ObserveRequest lists the instances, known from state, to observe in one call.
type ObserveRequest struct {
	Placement string
	Instances []*ObserveInstance
	// WantStatus asks for Observed.Status (health checks and the like), which may cost a
	// network call per instance. Without it Observe only says what exists, cheaply: it is
	// the refresh path of every plan.
	WantStatus bool
}

// ObserveInstance is one instance known from state.
type ObserveInstance struct {
	Instance Instance
	Prior    InstanceValue
	Private  []byte
}

// ObserveResponse says, per instance address, what exists now. A missing entry or a nil
// Value means the instance no longer exists.
type ObserveResponse struct {
	Observed    map[string]*Observed
	Diagnostics Diagnostics
}

// Observed is one instance as it exists now.
type Observed struct {
	Value   *InstanceValue // nil: gone
	Private []byte
	Status  Status
	// ValueIsPrior is set by the engine's side of the protocol when the provider said
	// Value is exactly the prior it was sent (marks included), so the engine need not
	// compare them. Providers leave it false; false only means "not known to be".
	ValueIsPrior bool
}

// Status is volatile, human-facing information that is not part of state (so it never
// shows as drift): health and where to reach the appliance.
type Status struct {
	Health  string // healthy, unhealthy, starting, stopped, unknown
	Address string // where the appliance serves, e.g. 127.0.0.1:8080
	Detail  string // e.g. "pid 4242, up 3m"
	// Components are parts with a health of their own, such as a WAF's pool members, so
	// `rampart status` can show them like the appliance's own health view.
	Components []Component
	// Facts are the appliance's figures at a glance (a gateway's unique client IPs).
	Facts []Fact
}

// Fact is one named figure of an appliance: Name "unique IPs (60m)", Value "1204".
type Fact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Component is one part of an appliance: Name "pool app: 10.0.0.5:8080", Health "UP",
// Detail "L7OK HTTP status check returned code <200>".
type Component struct {
	Name   string `json:"name"`
	Health string `json:"health"`
	Detail string `json:"detail,omitempty"`
}

// PlanRequest asks for the planned state of one instance.
type PlanRequest struct {
	Instance Instance
	// Config is the desired runtime and placement configuration. Computed placement
	// attributes are null; values that depend on other instances may be unknown.
	Config InstanceValue
	// Prior is what state recorded after the last apply; nil for a new instance.
	Prior *InstanceValue
	// Observed is what exists now (refresh), nil when it is gone. Equal to Prior when the
	// plan was made with -refresh=false. When the engine knows the two are exactly the
	// same it passes the same pointer: like the whole request, both are read-only.
	Observed     *InstanceValue
	PriorPrivate []byte
	// PriorObserved, set by the engine, says Prior is the value it sent for this instance
	// in this command's Observe call: it then does not travel again. Providers may ignore
	// it (Prior is always set for them).
	PriorObserved bool
}

// PlanResponse is the provider's proposal.
type PlanResponse struct {
	Planned InstanceValue
	// RequiresReplace lists the paths whose change forces a new instance. Paths start with
	// the attribute name "runtime" or "placement".
	RequiresReplace []cty.Path
	// Details are readable sub-changes shown under the instance in the plan,
	// e.g. "reload with SIGHUP: site shop changed".
	Details     []string
	Private     []byte
	Diagnostics Diagnostics
	// PlannedIsObserved is set by the engine's side of the protocol when the provider
	// said Planned is exactly the request's Observed (nothing to change), so the engine
	// need not compare them. Providers leave it false; false only means "not known to be".
	PlannedIsObserved bool
}

// ApplyRequest creates, updates or deletes one instance.
type ApplyRequest struct {
	Instance Instance
	Prior    *InstanceValue // nil: create
	Planned  *InstanceValue // nil: delete
	// Config is the final configuration with every reference resolved; nil on delete.
	Config  *InstanceValue
	Private []byte
}

// ApplyEvent is one progress line streamed while an Apply runs.
type ApplyEvent struct {
	Message string
}

// ApplyResponse is the outcome of an Apply. New is nil after a delete. A provider that
// fails half-way still returns the state of what it left behind in New, so nothing leaks.
type ApplyResponse struct {
	New         *InstanceValue
	Private     []byte
	Diagnostics Diagnostics
}

// ReadRequest refreshes one instance.
type ReadRequest struct {
	Instance Instance
	Current  InstanceValue
	Private  []byte
}

// ReadResponse is the refreshed instance; Observed.Value is nil when it is gone.
type ReadResponse struct {
	Observed    Observed
	Diagnostics Diagnostics
}

// ImportRequest adopts an existing appliance by a provider-specific id.
type ImportRequest struct {
	Instance Instance
	ID       string
}

// ImportResponse carries the adopted instance's value.
type ImportResponse struct {
	Imported    *InstanceValue
	Private     []byte
	Diagnostics Diagnostics
}
