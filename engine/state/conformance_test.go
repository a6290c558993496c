package state

import (
	"path/filepath"
	"testing"
)

func TestLocalBackendConformance(t *testing.T) {
	RunBackendConformance(t, func(t *testing.T) OpenBackend {
		path := filepath.Join(t.TempDir(), "rampart.state")
		return func() Backend { return NewLocal(path) }
	})
}
