package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/rampart-sec/rampart/runtime/appliance"
)

// VarsFileSuffix marks files that hold variable values rather than configuration.
const VarsFileSuffix = ".vars.hcl"

// Load parses every *.hcl file of dir, in name order, except variable files (*.vars.hcl)
// and dot files (.rampart.lock.hcl), and decodes the top-level structure. Expressions are
// left for the engine to evaluate. The returned Config is never nil, so callers can render
// diagnostics with its Files even when loading failed.
func Load(dir string) (*Config, hcl.Diagnostics) {
	c := &Config{
		Dir:       dir,
		Files:     map[string]*hcl.File{},
		Sources:   map[string][]byte{},
		Variables: map[string]*Variable{},
		Locals:    map[string]*Local{},
		Outputs:   map[string]*Output{},
	}
	names, err := configFileNames(dir)
	if err != nil {
		return c, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read configuration directory",
			Detail:   fmt.Sprintf("Cannot list the *.hcl files of %s: %s.", dir, err),
		}}
	}
	if len(names) == 0 {
		return c, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("The directory %s contains no *.hcl configuration files. Run rampart in the directory of your configuration, or add a main.hcl.", dir),
		}}
	}

	var diags hcl.Diagnostics
	d := &decoder{config: c, appliances: map[string]*Appliance{}, providers: map[string]*Provider{}}
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Failed to read configuration file",
				Detail:   fmt.Sprintf("Cannot read %s: %s.", name, err),
			})
			continue
		}
		c.Sources[name] = src
		file, parseDiags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		diags = append(diags, parseDiags...)
		if file == nil {
			continue
		}
		c.Files[name] = file
		if parseDiags.HasErrors() {
			// Decoding a partly parsed file would only add confusing follow-up errors.
			continue
		}
		diags = append(diags, d.file(file)...)
	}
	return c, diags
}

// configFileNames lists the configuration files of dir, sorted.
func configFileNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".hcl") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, VarsFileSuffix) {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// SourceHash identifies the configuration's source: "sha256:<hex>" over the file names,
// in order, and their bytes. A saved plan records it so that applying the plan after the
// configuration changed is refused.
func (c *Config) SourceHash() string {
	names := make([]string, 0, len(c.Sources))
	for name := range c.Sources {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		// Lengths make the encoding unambiguous: no two file sets hash the same stream.
		src := c.Sources[name]
		h.Write([]byte(strconv.Itoa(len(name)) + ":" + name + strconv.Itoa(len(src)) + ":"))
		h.Write(src)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// topLevelSchema lists the blocks allowed at the top of a file; HCL reports anything else
// as "Unsupported block type", with a suggestion when the name is close to one of these.
func topLevelSchema() *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "rampart"},
		{Type: "provider", LabelNames: []string{"type"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "output", LabelNames: []string{"name"}},
	}}
	for _, kind := range appliance.Names() {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: kind, LabelNames: []string{"name"}})
	}
	return s
}

// decoder accumulates the blocks of all files into one Config, remembering what was
// declared where so duplicates can name both places.
type decoder struct {
	config     *Config
	appliances map[string]*Appliance // by address
	providers  map[string]*Provider  // by address
}

func (d *decoder) file(f *hcl.File) hcl.Diagnostics {
	content, diags := f.Body.Content(topLevelSchema())
	for _, block := range content.Blocks {
		switch block.Type {
		case "rampart":
			diags = append(diags, d.rampart(block)...)
		case "provider":
			diags = append(diags, d.provider(block)...)
		case "variable":
			diags = append(diags, d.variable(block)...)
		case "locals":
			diags = append(diags, d.locals(block)...)
		case "output":
			diags = append(diags, d.output(block)...)
		default:
			diags = append(diags, d.appliance(block)...)
		}
	}
	return diags
}

// duplicate is the error for a second declaration of something that must be unique.
func duplicate(summary, what string, first hcl.Range, subject hcl.Range, hint string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("%s was already declared at %s. %s", what, first, hint),
		Subject:  subject.Ptr(),
	}
}

// invalidName checks that a block label can be used in references like var.<name>.
func invalidName(what, name string, rng hcl.Range) *hcl.Diagnostic {
	if hclsyntax.ValidIdentifier(name) {
		return nil
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s name", what),
		Detail:   fmt.Sprintf("%q is not a valid %s name: a name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.", name, what),
		Subject:  rng.Ptr(),
	}
}
