// Package schema is rampart's configuration language: it reads the *.hcl files of a
// directory into a Config (providers, variables, locals, outputs and appliances), derives
// the HCL schema of each appliance kind from its runtime config contract
// (runtime/<kind>/config), loads variable values and offers the functions available in
// expressions. It reports every user error as an hcl.Diagnostic that points at a file,
// line and column.
//
// Load only decodes structure. Expressions are evaluated by the engine, which knows the
// values of variables, locals and other appliances; the only things decoded here are the
// meta settings that must be literal (required_version, alias, lifecycle flags).
package schema

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Config is the decoded top-level structure of one configuration directory.
type Config struct {
	Dir string
	// Files holds every parsed file by the name given to the parser (relative to Dir,
	// e.g. "main.hcl"), so diagnostics can show source snippets. LoadVariableValues adds
	// the variable files it reads.
	Files   map[string]*hcl.File
	Sources map[string][]byte

	Rampart    *Rampart // nil when there is no rampart block
	Providers  []*Provider
	Variables  map[string]*Variable
	Locals     map[string]*Local
	Outputs    map[string]*Output
	Appliances []*Appliance // in source order
}

// Rampart is the `rampart { }` settings block.
type Rampart struct {
	RequiredVersion string // "" when unset
	Backend         *Backend
	DeclRange       hcl.Range
}

// Backend is `backend "<type>" { ... }` inside the rampart block: where state is kept.
type Backend struct {
	Type      string
	Body      hcl.Body
	DeclRange hcl.Range
}

// Provider is one `provider "<type>" { ... }` configuration.
type Provider struct {
	Type  string
	Alias string   // "" for the default configuration of Type
	Body  hcl.Body // without alias: decode with the provider's schema
	// DeclRange covers the block header.
	DeclRange hcl.Range
}

// Addr is the provider configuration's address: provider.docker or provider.docker.dmz.
func (p *Provider) Addr() string {
	if p.Alias == "" {
		return "provider." + p.Type
	}
	return "provider." + p.Type + "." + p.Alias
}

// Variable is a `variable "<name>" { ... }` declaration.
type Variable struct {
	Name        string
	Description string
	Type        cty.Type  // cty.DynamicPseudoType when unset
	Default     cty.Value // cty.NilVal when there is none (the variable is required)
	Sensitive   bool
	Validations []*Validation
	DeclRange   hcl.Range
}

// Required reports whether the variable needs a value from outside the configuration.
func (v *Variable) Required() bool { return v.Default == cty.NilVal }

// Validation is a `validation { condition, error_message }` block of a variable.
type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// Local is one named value of a `locals { }` block.
type Local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

// Output is an `output "<name>" { ... }` block.
type Output struct {
	Name        string
	Description string
	Expr        hcl.Expression
	Sensitive   bool
	DependsOn   []hcl.Traversal
	DeclRange   hcl.Range
}

// Appliance is one appliance block, such as `waf "shop" { ... }`, before count and
// for_each expansion.
type Appliance struct {
	Kind, Name string         // "waf", "shop"
	Count      hcl.Expression // nil when absent
	ForEach    hcl.Expression // nil when absent
	DependsOn  []hcl.Traversal
	Lifecycle  Lifecycle
	// Runtime is the body without meta-arguments and without the placement block:
	// decode it with RuntimeSpec(Kind). It is not an *hclsyntax.Body: it wraps one so that
	// HCL's "Did you mean" suggestions do not depend on Go map order.
	Runtime hcl.Body
	// Placement is nil when the appliance declares none (the engine then uses `local {}`).
	Placement *Placement
	DeclRange hcl.Range // the block header: kind and name
	TypeRange hcl.Range // the kind keyword

	// syntax is the whole block body, kept to point ValidateRuntime's diagnostics at the
	// attribute or block a runtime error is about.
	syntax *hclsyntax.Body
}

// Addr is the appliance's address, e.g. waf.shop.
func (a *Appliance) Addr() string { return a.Kind + "." + a.Name }

// Lifecycle holds the literal settings of an appliance's `lifecycle { }` block.
type Lifecycle struct {
	PreventDestroy      bool
	CreateBeforeDestroy bool
	// IgnoreChanges are paths relative to the appliance, e.g. site or listen.http.
	IgnoreChanges []hcl.Traversal
	// IgnoreAllChanges is `ignore_changes = all`: once the appliance exists, changes
	// to any of its settings in the configuration are ignored.
	IgnoreAllChanges bool
}

// Placement is the block that says where an appliance runs. It is named after a provider
// type and its schema is that provider's placement schema.
type Placement struct {
	Type string // block type = provider type, e.g. "local", "docker"
	// ProviderRef comes from `provider = docker.dmz`; nil selects the default
	// configuration of Type.
	ProviderRef *ProviderRef
	Body        hcl.Body // without the provider attribute; decode with the provider's placement schema
	DeclRange   hcl.Range
}

// ProviderRef names a provider configuration from inside a placement block.
type ProviderRef struct {
	Type, Alias string
	Range       hcl.Range
}

// Addr is the referenced provider configuration's address, as Provider.Addr spells it.
func (r *ProviderRef) Addr() string {
	if r.Alias == "" {
		return "provider." + r.Type
	}
	return "provider." + r.Type + "." + r.Alias
}
