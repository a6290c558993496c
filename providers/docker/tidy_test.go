package docker

import (
	"slices"
	"strings"
	"testing"
)

// TestDeferredTidy: only the delete that ends while no other runs gets the work, and it
// gets what every earlier one left.
func TestDeferredTidy(t *testing.T) {
	var tidy deferredTidy
	netA, netB := tidyNetwork{"l1", "a"}, tidyNetwork{"l1", "b"}
	tidy.begin()
	tidy.begin()
	tidy.begin()
	if nets, imgs := tidy.end([]tidyNetwork{netA}, "sha256:1"); nets != nil || imgs != nil {
		t.Fatalf("first of three deletes got work: %v %v", nets, imgs)
	}
	if nets, imgs := tidy.end([]tidyNetwork{netB}, "sha256:1"); nets != nil || imgs != nil {
		t.Fatalf("second of three deletes got work: %v %v", nets, imgs)
	}
	nets, imgs := tidy.end(nil, "sha256:2")
	slices.SortFunc(nets, func(x, y tidyNetwork) int { return strings.Compare(x.name, y.name) })
	slices.Sort(imgs)
	if !slices.Equal(nets, []tidyNetwork{netA, netB}) || !slices.Equal(imgs, []string{"sha256:1", "sha256:2"}) {
		t.Fatalf("last delete got networks %v, images %v; want both networks and both images", nets, imgs)
	}
	// A delete on its own checks at once, and nothing is left over from before.
	tidy.begin()
	if nets, imgs := tidy.end([]tidyNetwork{netB}, ""); !slices.Equal(nets, []tidyNetwork{netB}) || imgs != nil {
		t.Fatalf("lone delete got networks %v, images %v; want only its own network", nets, imgs)
	}
}
