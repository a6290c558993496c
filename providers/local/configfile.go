package local

import (
	"fmt"
	"os"

	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/zclconf/go-cty/cty"
)

// readRuntimeLike reads a configuration file back as a runtime value of the type of prior
// (see runtimes.FromData), and returns the bytes read.
func readRuntimeLike(path string, prior cty.Value) (cty.Value, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return cty.NilVal, nil, fmt.Errorf("read runtime config: %w", err)
	}
	v, err := runtimes.FromData(data, prior)
	if err != nil {
		return cty.NilVal, nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, data, nil
}
