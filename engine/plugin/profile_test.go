package plugin

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/rampart-sec/rampart/providers/sdk"
)

// RAMPART_PROVIDER_CPU_PROFILE makes a provider write a CPU profile of its life, complete
// once the engine is done with it.
func TestProviderCPUProfile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(sdk.CPUProfileEnv, dir)
	client, _ := startCrashy(t)
	if _, diags := client.GetSchema(context.Background()); diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	pid := client.Pid()
	client.Kill()
	data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("crashy-%d.pprof", pid)))
	if err != nil {
		t.Fatalf("no profile after the provider stopped: %v", err)
	}
	// A profile is gzipped protobuf; one cut short when the provider was killed does
	// not decompress to its end.
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the profile is not gzip data: %v", err)
	}
	if body, err := io.ReadAll(zr); err != nil || len(body) == 0 {
		t.Fatalf("the profile is incomplete (%d bytes, %v): was it stopped before the provider exited?", len(body), err)
	}
}
