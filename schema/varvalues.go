package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// SensitiveMark is the cty mark carried by values of sensitive variables; the renderers and
// state writer look for it to hide or encrypt them.
const SensitiveMark = "sensitive"

// EnvVarPrefix prefixes environment variables that set variables: RAMPART_VAR_<name>.
const EnvVarPrefix = "RAMPART_VAR_"

// VarOptions are the sources of variable values outside the configuration directory.
type VarOptions struct {
	VarFiles []string // -var-file, in order
	Vars     []string // -var name=value, in order
	Environ  []string // os.Environ()
}

// rawValue is one assignment of a variable, before conversion to its declared type.
type rawValue struct {
	value  cty.Value
	source string     // said in errors about the value, e.g. "the -var option"
	rng    *hcl.Range // where it is written, when in a file
}

// LoadVariableValues gathers the value of every declared variable. Later sources win:
// default, RAMPART_VAR_<name>, *.vars.hcl of the configuration directory (by name),
// -var-file files, then -var options. Values are converted to their declared types, checked
// with the validation blocks and marked with SensitiveMark when the variable is sensitive.
// Variable files that were read are added to c.Files for diagnostic snippets.
func LoadVariableValues(c *Config, opts VarOptions) (map[string]cty.Value, hcl.Diagnostics) {
	raw := map[string]rawValue{}
	// invalid names variables given a value that could not be read; they are not
	// reported a second time as missing.
	invalid := map[string]bool{}
	var diags hcl.Diagnostics

	for _, kv := range opts.Environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvVarPrefix) {
			continue
		}
		name = strings.TrimPrefix(name, EnvVarPrefix)
		source := "the environment variable " + EnvVarPrefix + name
		v, declared := c.Variables[name]
		if !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("%s is set, but no variable %q is declared; the value is ignored. Declare the variable, or unset the environment variable.", source, name),
			})
			continue
		}
		val, valDiags := parseRawValue(v, value, source)
		diags = append(diags, valDiags...)
		if valDiags.HasErrors() {
			invalid[name] = true
		} else {
			raw[name] = rawValue{value: val, source: source}
		}
	}

	dirFiles, err := varsFilesIn(c.Dir)
	if err != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Failed to read configuration directory",
			Detail:   fmt.Sprintf("Cannot list the %s files of %s: %s.", "*"+VarsFileSuffix, c.Dir, err),
		})
	}
	for _, name := range dirFiles {
		diags = append(diags, readVarsFile(c, filepath.Join(c.Dir, name), name, raw, invalid)...)
	}
	for _, path := range opts.VarFiles {
		diags = append(diags, readVarsFile(c, path, path, raw, invalid)...)
	}

	for _, option := range opts.Vars {
		name, value, ok := strings.Cut(option, "=")
		if !ok || !hclsyntax.ValidIdentifier(name) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid -var option",
				Detail:   fmt.Sprintf("The option -var %q is not a variable name and a value separated by an equals sign, like -var 'region=eu-west-1'.", option),
			})
			continue
		}
		v, declared := c.Variables[name]
		if !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The option -var sets %q, but no variable %q is declared. Declare it with a variable %q { } block, or remove the option.", name, name, name),
			})
			continue
		}
		source := "the -var option"
		val, valDiags := parseRawValue(v, value, source)
		diags = append(diags, valDiags...)
		if valDiags.HasErrors() {
			invalid[name] = true
		} else {
			raw[name] = rawValue{value: val, source: source}
		}
	}

	values := map[string]cty.Value{}
	for _, name := range sortedVariableNames(c) {
		v := c.Variables[name]
		if invalid[name] {
			continue
		}
		val, valDiags := v.finalValue(raw, c.Dir)
		diags = append(diags, valDiags...)
		if val != cty.NilVal {
			values[name] = val
		}
	}
	return values, diags
}

// finalValue converts, validates and marks the value of one variable.
func (v *Variable) finalValue(raw map[string]rawValue, dir string) (cty.Value, hcl.Diagnostics) {
	given, ok := raw[v.Name]
	if !ok {
		if v.Required() {
			return cty.NilVal, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("No value for required variable %q", v.Name),
				Detail: fmt.Sprintf("Variable %q has no default, so it needs a value: pass -var '%s=...', set %s = ... in a %s file, or set the environment variable %s%s.",
					v.Name, v.Name, v.Name, VarsFileSuffix, EnvVarPrefix, v.Name),
				Subject: v.DeclRange.Ptr(),
			}}
		}
		given = rawValue{value: v.Default, source: "the default", rng: &v.DeclRange}
	}
	val, err := convert.Convert(given.value, v.Type)
	if err != nil {
		subject := given.rng
		if subject == nil {
			subject = v.DeclRange.Ptr()
		}
		return cty.NilVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid value for variable %q", v.Name),
			Detail:   fmt.Sprintf("The value from %s does not match the type %s: %s.", given.source, typeString(v.Type), err),
			Subject:  subject,
		}}
	}
	if v.Sensitive {
		val = val.Mark(SensitiveMark)
	}
	return val, v.validate(val, dir)
}

// validate evaluates the validation blocks with only this variable in scope.
func (v *Variable) validate(val cty.Value, dir string) hcl.Diagnostics {
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: val})},
		Functions: Functions(dir),
	}
	var diags hcl.Diagnostics
	for _, rule := range v.Validations {
		result, condDiags := rule.Condition.Value(ctx)
		diags = append(diags, condDiags...)
		if condDiags.HasErrors() {
			continue
		}
		result, _ = result.Unmark()
		if !result.IsKnown() {
			continue
		}
		result, err := convert.Convert(result, cty.Bool)
		if err != nil || result.IsNull() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid validation condition",
				Detail:   "The condition must be true or false.",
				Subject:  rule.Condition.Range().Ptr(),
			})
			continue
		}
		if result.True() {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s\n\nThis was checked by the validation rule at %s.", errorMessage(rule, ctx), rule.DeclRange),
			Subject:  v.DeclRange.Ptr(),
		})
	}
	return diags
}

// errorMessage evaluates a validation's error_message, falling back to a generic text so a
// broken message never hides the failed condition.
func errorMessage(rule *Validation, ctx *hcl.EvalContext) string {
	msg, diags := rule.ErrorMessage.Value(ctx)
	if diags.HasErrors() {
		return "The value does not satisfy the validation condition (its error_message cannot be evaluated)."
	}
	msg, _ = msg.Unmark()
	msg, err := convert.Convert(msg, cty.String)
	if err != nil || msg.IsNull() || !msg.IsKnown() {
		return "The value does not satisfy the validation condition."
	}
	return msg.AsString()
}

// parseRawValue interprets a value given as text (-var, environment): literally for string
// and untyped variables, as an HCL expression for every other type, like Terraform does.
func parseRawValue(v *Variable, text, source string) (cty.Value, hcl.Diagnostics) {
	if v.Type == cty.String || v.Type == cty.DynamicPseudoType {
		return cty.StringVal(text), nil
	}
	expr, diags := hclsyntax.ParseExpression([]byte(text), fmt.Sprintf("<value for var.%s>", v.Name), hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid value for variable %q", v.Name),
			Detail:   fmt.Sprintf("The value from %s cannot be read as %s: %s", source, typeString(v.Type), diags.Error()),
		}}
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid value for variable %q", v.Name),
			Detail:   fmt.Sprintf("The value from %s must be a literal value, such as true, 80, \"text\" or [\"a\", \"b\"]: %s", source, diags.Error()),
		}}
	}
	return val, nil
}

// readVarsFile reads `name = value` assignments from a variable file into raw. name is
// how the file is called in diagnostics.
func readVarsFile(c *Config, path, name string, raw map[string]rawValue, invalid map[string]bool) hcl.Diagnostics {
	src, err := os.ReadFile(path)
	if err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read variables file",
			Detail:   fmt.Sprintf("Cannot read %s: %s.", path, err),
		}}
	}
	file, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if file != nil {
		c.Files[name] = file
	}
	if diags.HasErrors() {
		return diags
	}
	attrs, attrDiags := file.Body.JustAttributes()
	diags = append(diags, attrDiags...)
	for _, attr := range inSourceOrder(attrs) {
		if _, declared := c.Variables[attr.Name]; !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("%s sets %q, but no variable %q is declared; the value is ignored. Declare the variable, or remove the assignment.", name, attr.Name, attr.Name),
				Subject:  attr.NameRange.Ptr(),
			})
			continue
		}
		val, valDiags := attr.Expr.Value(nil)
		diags = append(diags, valDiags...)
		if valDiags.HasErrors() {
			invalid[attr.Name] = true
			continue
		}
		raw[attr.Name] = rawValue{value: val, source: name, rng: attr.Expr.Range().Ptr()}
	}
	return diags
}

func varsFilesIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), VarsFileSuffix) && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

func sortedVariableNames(c *Config) []string {
	names := make([]string, 0, len(c.Variables))
	for name := range c.Variables {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
