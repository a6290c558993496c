package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/runtime/appliance"
)

// ValidateRuntime checks a decoded runtime value with the runtime's own validation
// (appliance Kind.Validate), so HCL and the runtime accept exactly the same
// configurations. Each problem becomes a diagnostic pointing at the attribute or block it
// is about. Values that are not wholly known yet (they depend on other appliances) are
// checked later, at apply time, and pass here.
func ValidateRuntime(a *Appliance, v cty.Value) hcl.Diagnostics {
	if !v.IsWhollyKnown() {
		return nil
	}
	kind, ok := appliance.Lookup(a.Kind)
	if !ok {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown appliance kind",
			Detail:   fmt.Sprintf("There is no appliance kind %q; the kinds are %s.", a.Kind, strings.Join(appliance.Names(), ", ")),
			Subject:  a.TypeRange.Ptr(),
		}}
	}
	v, _ = v.UnmarkDeep()
	data, err := runtimeJSON(v)
	if err != nil {
		return hcl.Diagnostics{a.runtimeDiagnostic(a.DeclRange, fmt.Sprintf("Cannot encode the configuration as JSON: %s.", err))}
	}
	err = kind.Validate(data)
	if err == nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, e := range flattenErrors(err) {
		diags = append(diags, a.diagnosticFor(e))
	}
	sort.SliceStable(diags, func(i, j int) bool {
		si, sj := diags[i].Subject, diags[j].Subject
		if si.Start.Byte != sj.Start.Byte {
			return si.Start.Byte < sj.Start.Byte
		}
		return diags[i].Detail < diags[j].Detail
	})
	return diags
}

func (a *Appliance) diagnosticFor(err error) *hcl.Diagnostic {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		steps, _, _ := splitFieldError(typeErr.Field + ": ")
		return a.runtimeDiagnostic(a.locate(steps), fmt.Sprintf("%s is required, not %s.", describeGoType(typeErr.Type), typeErr.Value))
	}
	steps, message, ok := splitFieldError(err.Error())
	if !ok {
		return a.runtimeDiagnostic(a.DeclRange, err.Error())
	}
	return a.runtimeDiagnostic(a.locate(steps), message)
}

func (a *Appliance) locate(steps []pathStep) hcl.Range {
	if a.syntax == nil {
		return a.DeclRange
	}
	return locateFieldPath(a.syntax, steps, a.DeclRange)
}

func (a *Appliance) runtimeDiagnostic(subject hcl.Range, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s configuration", a.Kind),
		Detail:   detail,
		Subject:  subject.Ptr(),
	}
}

// flattenErrors lists the leaves of errors.Join trees.
func flattenErrors(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var all []error
		for _, e := range joined.Unwrap() {
			all = append(all, flattenErrors(e)...)
		}
		return all
	}
	return []error{err}
}

// describeGoType names what a Go field accepts in the words of the configuration language.
func describeGoType(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number that is not negative"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a bool"
	}
	return "a " + t.String()
}
