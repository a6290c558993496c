package parallel

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestForEach(t *testing.T) {
	var calls atomic.Int64
	seen := make([]atomic.Bool, 500)
	if err := ForEach(len(seen), func(i int) error {
		calls.Add(1)
		if seen[i].Swap(true) {
			return fmt.Errorf("index %d called twice", i)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != int64(len(seen)) {
		t.Fatalf("%d calls for %d indexes", calls.Load(), len(seen))
	}
	// The error of the lowest failing index is returned, whatever the order of work.
	err := ForEach(100, func(i int) error {
		if i == 7 || i == 90 {
			return fmt.Errorf("failed at %d", i)
		}
		return nil
	})
	if err == nil || err.Error() != "failed at 7" {
		t.Fatalf("error = %v, want the one of index 7", err)
	}
	if err := ForEach(0, func(int) error { return errors.New("called") }); err != nil {
		t.Fatalf("no work still called fn: %v", err)
	}
}
