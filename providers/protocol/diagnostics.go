package protocol

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Severity of a diagnostic.
type Severity int

const (
	Error Severity = iota
	Warning
)

// Diagnostic is a provider's message about configuration or an operation. Attribute, when
// set, points into the block it concerns so the CLI can show the HCL source range.
type Diagnostic struct {
	Severity  Severity
	Summary   string
	Detail    string
	Attribute cty.Path
}

// Diagnostics is a list of diagnostics.
type Diagnostics []Diagnostic

// Errorf appends an error diagnostic.
func (d Diagnostics) Errorf(summary, detailFormat string, args ...any) Diagnostics {
	return append(d, Diagnostic{Severity: Error, Summary: summary, Detail: fmt.Sprintf(detailFormat, args...)})
}

// FromErr appends err as an error diagnostic; nil is ignored.
func (d Diagnostics) FromErr(summary string, err error) Diagnostics {
	if err == nil {
		return d
	}
	return append(d, Diagnostic{Severity: Error, Summary: summary, Detail: err.Error()})
}

// HasErrors reports whether any diagnostic is an error.
func (d Diagnostics) HasErrors() bool {
	for _, x := range d {
		if x.Severity == Error {
			return true
		}
	}
	return false
}

// Err returns the errors as a single error, or nil.
func (d Diagnostics) Err() error {
	var errs []error
	for _, x := range d {
		if x.Severity != Error {
			continue
		}
		msg := x.Summary
		if x.Detail != "" {
			msg += ": " + x.Detail
		}
		if len(x.Attribute) > 0 {
			msg = FormatPath(x.Attribute) + ": " + msg
		}
		errs = append(errs, errors.New(msg))
	}
	return errors.Join(errs...)
}

// FormatPath renders a cty.Path as HCL-ish traversal text: placement.ports["80"].
func FormatPath(p cty.Path) string {
	var b strings.Builder
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			switch s.Key.Type() {
			case cty.String:
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			case cty.Number:
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			default:
				b.WriteString("[?]")
			}
		}
	}
	return b.String()
}

// EncodeDiagnostics converts diagnostics to their wire form. A path that cannot be sent
// is dropped rather than losing the diagnostic: the message matters more than its place.
func EncodeDiagnostics(diags Diagnostics) []*WireDiagnostic {
	if len(diags) == 0 {
		return nil
	}
	out := make([]*WireDiagnostic, len(diags))
	for i, d := range diags {
		w := &WireDiagnostic{Severity: WireDiagnostic_ERROR, Summary: d.Summary, Detail: d.Detail}
		if d.Severity == Warning {
			w.Severity = WireDiagnostic_WARNING
		}
		if len(d.Attribute) > 0 {
			if p, err := EncodePath(d.Attribute); err == nil {
				w.Attribute = p
			}
		}
		out[i] = w
	}
	return out
}

// DecodeDiagnostics is the inverse of EncodeDiagnostics. Any severity other than a
// warning, including one from a newer protocol, counts as an error.
func DecodeDiagnostics(ws []*WireDiagnostic) Diagnostics {
	if len(ws) == 0 {
		return nil
	}
	out := make(Diagnostics, len(ws))
	for i, w := range ws {
		d := Diagnostic{Severity: Error, Summary: w.GetSummary(), Detail: w.GetDetail()}
		if w.GetSeverity() == WireDiagnostic_WARNING {
			d.Severity = Warning
		}
		if p, err := DecodePath(w.GetAttribute()); err == nil {
			d.Attribute = p
		}
		out[i] = d
	}
	return out
}
