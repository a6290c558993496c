package scanner

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/lab"
)

// The lab (five namespaced hosts with real services, see runtime/scanner/lab) is built once
// for the package, by the first test that needs it, and torn down in TestMain.
var (
	sharedLab     *lab.Lab
	sharedLabErr  error
	sharedLabOnce sync.Once
	sharedLabDir  string
)

func TestMain(m *testing.M) {
	lab.RunHelperIfAsked()
	code := m.Run()
	if sharedLab != nil {
		if err := sharedLab.Close(); err != nil {
			println("lab cleanup:", err.Error())
			code = 1
		}
	}
	if sharedLabDir != "" {
		os.RemoveAll(sharedLabDir)
	}
	os.Exit(code)
}

// standardLab returns the shared lab, failing the test with what to install when it cannot
// be built; RAMPART_SKIP_NETNS=1 skips instead.
func standardLab(t *testing.T) *lab.Lab {
	t.Helper()
	if os.Getenv("RAMPART_SKIP_NETNS") == "1" {
		t.Skip("RAMPART_SKIP_NETNS=1: the scanner lab needs network namespaces")
	}
	sharedLabOnce.Do(func() {
		// Not t.TempDir: the lab outlives this test. 0755 because postgres runs as its own user.
		sharedLabDir, sharedLabErr = os.MkdirTemp("", "rampart-scanner-lab-")
		if sharedLabErr != nil {
			return
		}
		os.Chmod(sharedLabDir, 0o755)
		l, err := lab.New(filepath.Join(sharedLabDir, "lab"))
		if err != nil {
			sharedLabErr = err
			return
		}
		sharedLab = l
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sharedLabErr = lab.BuildStandard(ctx, l)
	})
	if sharedLabErr != nil {
		t.Fatalf("build the scanner lab: %v\n(needs root and: apt-get install iproute2 iptables openssh-server nginx redis-server postgresql)", sharedLabErr)
	}
	return sharedLab
}
