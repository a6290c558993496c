package gctune

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestForShortLivedProcess(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })

	t.Run("default", func(t *testing.T) {
		t.Setenv("GOGC", "") // restores the caller's GOGC afterwards
		if err := os.Unsetenv("GOGC"); err != nil {
			t.Fatal(err)
		}
		debug.SetGCPercent(100)
		ForShortLivedProcess()
		if got := debug.SetGCPercent(100); got != ShortLivedPercent {
			t.Errorf("GOGC after ForShortLivedProcess = %d, want %d", got, ShortLivedPercent)
		}
	})
	t.Run("environment wins", func(t *testing.T) {
		t.Setenv("GOGC", "150")
		debug.SetGCPercent(150)
		ForShortLivedProcess()
		if got := debug.SetGCPercent(100); got != 150 {
			t.Errorf("GOGC with GOGC=150 in the environment = %d, want 150 (left alone)", got)
		}
	})
}
