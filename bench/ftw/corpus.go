package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// A test file in go-ftw's format (github.com/coreruleset/ftw-tests-schema, v2): the tests
// of one rule.
type testFile struct {
	Meta   fileMeta   `yaml:"meta"`
	RuleID int        `yaml:"rule_id"`
	Tests  []testCase `yaml:"tests"`
	// Author outside meta occurs in the corpus (932271.yaml); go-ftw tolerates it.
	Author string `yaml:"author"`
}

type fileMeta struct {
	Author      string   `yaml:"author"`
	Description string   `yaml:"description"`
	Name        string   `yaml:"name"`
	Enabled     *bool    `yaml:"enabled"` // deprecated and ignored by go-ftw; so here
	Version     string   `yaml:"version"`
	Tags        []string `yaml:"tags"`
}

type testCase struct {
	TestID      int      `yaml:"test_id"`
	Description string   `yaml:"desc"`
	Stages      []stage  `yaml:"stages"`
	Tags        []string `yaml:"tags"`
}

type stage struct {
	Description string `yaml:"description"`
	Input       input  `yaml:"input"`
	Output      output `yaml:"output"`
}

// input is the request of a stage. Pointers distinguish "absent" (go-ftw's default
// applies) from "empty".
type input struct {
	DestAddr            *string       `yaml:"dest_addr"`
	Port                *int          `yaml:"port"`
	Protocol            *string       `yaml:"protocol"`
	URI                 *string       `yaml:"uri"`
	URIs                []string      `yaml:"uris"`
	FollowRedirect      *bool         `yaml:"follow_redirect"`
	Version             *string       `yaml:"version"`
	Method              *string       `yaml:"method"`
	Headers             yaml.MapSlice `yaml:"headers"` // in file order
	Data                *string       `yaml:"data"`
	EncodedData         *string       `yaml:"encoded_data"`
	SaveCookie          *bool         `yaml:"save_cookie"`
	StopMagic           *bool         `yaml:"stop_magic"`
	AutocompleteHeaders *bool         `yaml:"autocomplete_headers"`
	EncodedRequest      string        `yaml:"encoded_request"`
	RawRequest          string        `yaml:"raw_request"`
	Response            *struct {
		Headers     yaml.MapSlice `yaml:"headers"`
		Status      int           `yaml:"status"`
		Body        string        `yaml:"body"`
		EncodedBody string        `yaml:"encoded_body"`
		LogMessage  string        `yaml:"log_message"`
	} `yaml:"response"`
}

// output is what a stage expects.
type output struct {
	Status           int    `yaml:"status"`
	ResponseContains string `yaml:"response_contains"`
	LogContains      string `yaml:"log_contains"`
	NoLogContains    string `yaml:"no_log_contains"`
	Log              struct {
		ExpectIDs    []int  `yaml:"expect_ids"`
		NoExpectIDs  []int  `yaml:"no_expect_ids"`
		MatchRegex   string `yaml:"match_regex"`
		NoMatchRegex string `yaml:"no_match_regex"`
	} `yaml:"log"`
	ExpectError *bool `yaml:"expect_error"`
	RetryOnce   *bool `yaml:"retry_once"`
	Isolated    bool  `yaml:"isolated"`
}

// corpusTest is one test of the corpus, ready to run.
type corpusTest struct {
	ID       string // "<rule_id>-<test_id>", what -filter matches
	RuleFile string // e.g. REQUEST-920-PROTOCOL-ENFORCEMENT/920100.yaml
	RuleID   int
	TestID   int
	Stages   []stage
}

// loadCorpus parses every *.yaml and *.yml file under dir. Files that do not parse are
// returned as errors; the tests of the others are returned sorted by file and test id.
func loadCorpus(dir string) ([]corpusTest, []error) {
	var tests []corpusTest
	var errs []error
	walkErr := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		fileTests, err := loadTestFile(path, filepath.ToSlash(rel))
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		tests = append(tests, fileTests...)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, fmt.Errorf("read corpus %s: %w", dir, walkErr))
	}
	sort.SliceStable(tests, func(i, j int) bool {
		if tests[i].RuleFile != tests[j].RuleFile {
			return tests[i].RuleFile < tests[j].RuleFile
		}
		return tests[i].TestID < tests[j].TestID
	})
	return tests, errs
}

func loadTestFile(path, rel string) ([]corpusTest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	var f testFile
	// Unknown fields are errors: a field this runner does not know would otherwise be
	// silently ignored and the test run differently from go-ftw.
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("parse %s: %w", rel, err)
	}
	if f.RuleID == 0 && len(f.Tests) == 0 {
		return nil, nil // only comments (920539.yaml keeps a linter quiet)
	}
	if f.RuleID == 0 {
		return nil, fmt.Errorf("parse %s: no rule_id", rel)
	}
	var tests []corpusTest
	for i, tc := range f.Tests {
		id := tc.TestID
		if id == 0 {
			id = i + 1 // go-ftw infers the id from the position
		}
		if len(tc.Stages) == 0 {
			return nil, fmt.Errorf("parse %s: test %d has no stages", rel, id)
		}
		for _, st := range tc.Stages {
			if err := checkHeaders(st.Input.Headers); err != nil {
				return nil, fmt.Errorf("parse %s: test %d: %w", rel, id, err)
			}
		}
		tests = append(tests, corpusTest{
			ID:       fmt.Sprintf("%d-%d", f.RuleID, id),
			RuleFile: rel,
			RuleID:   f.RuleID,
			TestID:   id,
			Stages:   tc.Stages,
		})
	}
	return tests, nil
}

// checkHeaders insists on string header values: YAML would turn `X: 1e3` into a number
// whose text differs from what the author wrote.
func checkHeaders(h yaml.MapSlice) error {
	for _, item := range h {
		name, ok := item.Key.(string)
		if !ok {
			return fmt.Errorf("header name %v is not a string", item.Key)
		}
		switch item.Value.(type) {
		case string:
		case uint64, int64, int:
			// integers keep their text (Content-Length: 0)
		default:
			return fmt.Errorf("header %s: value %v (%T) is not a string; quote it", name, item.Value, item.Value)
		}
	}
	return nil
}
