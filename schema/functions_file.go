package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// configPath resolves a path written in the configuration: relative paths are relative to
// the configuration directory, not to wherever rampart was started.
func configPath(baseDir, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(baseDir, path)
}

// readConfigFile reads a file named in the configuration, with an error that says where
// relative paths start.
func readConfigFile(baseDir, path string) ([]byte, error) {
	data, err := os.ReadFile(configPath(baseDir, path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no file exists at %q; a relative path is relative to the configuration directory %s", path, baseDir)
	case err != nil:
		return nil, fmt.Errorf("cannot read %q (relative paths are relative to the configuration directory %s): %w", path, baseDir, err)
	}
	return data, nil
}

func fileFunc(baseDir string) function.Function {
	return function.New(&function.Spec{
		Description: "The contents of a UTF-8 text file.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			path := args[0].AsString()
			data, err := readConfigFile(baseDir, path)
			if err != nil {
				return cty.UnknownVal(cty.String), function.NewArgError(0, err)
			}
			if !utf8.Valid(data) {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "the contents of %q are not UTF-8 text", path)
			}
			return cty.StringVal(string(data)), nil
		},
	})
}

func fileExistsFunc(baseDir string) function.Function {
	return function.New(&function.Spec{
		Description: "Whether a regular file exists at path.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			path := args[0].AsString()
			info, err := os.Stat(configPath(baseDir, path))
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return cty.False, nil
			case err != nil:
				return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "cannot check %q: %s", path, err)
			case !info.Mode().IsRegular():
				return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "%q is not a regular file", path)
			}
			return cty.True, nil
		},
	})
}

// templateFileFunc renders a file as an HCL template with the given variables, which the
// template reads by name (${port}), and the given functions.
func templateFileFunc(baseDir string, funcs map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Description: "Renders a template file with the given variables.",
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			path := args[0].AsString()
			vars := args[1]
			if !vars.Type().IsObjectType() && !vars.Type().IsMapType() {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(1, "template variables must be an object or a map, like { port = 80 }")
			}
			src, err := readConfigFile(baseDir, path)
			if err != nil {
				return cty.UnknownVal(cty.String), function.NewArgError(0, err)
			}
			tmpl, diags := hclsyntax.ParseTemplate(src, path, hcl.InitialPos)
			if diags.HasErrors() {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "template %s: %s", path, diags.Error())
			}
			ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: funcs}
			if !vars.IsNull() && vars.IsKnown() {
				for name, v := range vars.AsValueMap() {
					ctx.Variables[name] = v
				}
			}
			result, diags := tmpl.Value(ctx)
			if diags.HasErrors() {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "template %s: %s", path, diags.Error())
			}
			// A template that is one interpolation yields that value's own type.
			str, err := convert.Convert(result, cty.String)
			if err != nil {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "template %s does not render a string: %s", path, err)
			}
			return str, nil
		},
	})
}
