// Package sdk is what a rampart provider author imports.
//
// A provider is a separate program. Its main function builds a Provider value, one
// Placement per placement block type it offers, and calls Serve. The SDK hides gRPC and
// go-plugin: authors work with cty values and the request/response types of
// providers/protocol. The built-in providers (local, docker, ...) use exactly this SDK and
// are the reference examples.
//
//	func main() {
//		sdk.Serve(&sdk.Provider{
//			Name:    "example",
//			Version: "0.1.0",
//			Schema:  &protocol.Schema{},
//			Placements: map[string]sdk.Placement{"example": &placement{}},
//		})
//	}
package sdk

import (
	"context"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// Provider describes a provider program.
type Provider struct {
	// Name is the provider type, as in `provider "<name>"` and in the plugin binary name
	// rampart-provider-<name>.
	Name    string
	Version string
	// Schema is the schema of the provider block. Nil means the block takes no attributes.
	Schema *protocol.Schema
	// Configure receives the evaluated provider block once, before any other call that
	// touches infrastructure. Optional.
	Configure func(ctx context.Context, config cty.Value) protocol.Diagnostics
	// Placements maps placement block types to their implementations.
	Placements map[string]Placement
}

// Progress reports a line of progress from a long Apply or Delete step to the CLI.
type Progress func(format string, args ...any)

// Placement is the small interface a provider author implements per placement kind.
type Placement interface {
	// Schema describes the placement block.
	Schema() *protocol.PlacementSchema
	// Plan proposes the new state of one instance (see protocol.PlanRequest).
	Plan(ctx context.Context, req *protocol.PlanRequest) *protocol.PlanResponse
	// Apply creates (req.Prior == nil) or updates one instance. It is never called with a
	// nil req.Planned: deletes go to Delete.
	Apply(ctx context.Context, req *protocol.ApplyRequest, progress Progress) *protocol.ApplyResponse
	// Read refreshes one instance.
	Read(ctx context.Context, req *protocol.ReadRequest) *protocol.ReadResponse
	// Delete removes one instance. req.Planned is nil.
	Delete(ctx context.Context, req *protocol.ApplyRequest, progress Progress) protocol.Diagnostics
}

// Observer is implemented by placements that can observe many instances in one call
// (a Docker provider lists containers by label once). Without it, the SDK calls Read per
// instance.
type Observer interface {
	Observe(ctx context.Context, req *protocol.ObserveRequest) *protocol.ObserveResponse
}

// Importer is implemented by placements that can adopt something already running.
type Importer interface {
	Import(ctx context.Context, req *protocol.ImportRequest) *protocol.ImportResponse
}

// Validator is implemented by placements with checks beyond the schema.
type Validator interface {
	Validate(ctx context.Context, req *protocol.ValidateRequest) protocol.Diagnostics
}
