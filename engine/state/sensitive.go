package state

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/providers/protocol"
)

// sensitivePaths removes every mark from v and returns the paths that carried the
// sensitive mark. Other marks have no meaning in state and are dropped.
func sensitivePaths(v cty.Value) (cty.Value, []cty.Path) {
	unmarked, pvm := v.UnmarkDeepWithPaths()
	var paths []cty.Path
	for _, pm := range pvm {
		if pm.Marks.Has(protocol.SensitiveMark) {
			paths = append(paths, pm.Path)
		}
	}
	return unmarked, paths
}

// sensitiveMarks is the mark set of a sensitive value.
func sensitiveMarks() cty.ValueMarks {
	return cty.NewValueMarks(protocol.SensitiveMark)
}

// sealRoots returns the paths whose values are sealed in a document: every sensitive
// path that is not inside another one (sealing the outer value already hides the inner
// one). With whole set, the entire value is the only root. Encoder and decoder use the
// same rule, so the decoder knows where to expect sealed values without any marker
// that could collide with real data.
func sealRoots(paths []cty.Path, whole bool) []cty.Path {
	if whole {
		return []cty.Path{nil}
	}
	var roots []cty.Path
	for _, p := range paths {
		inside := false
		for _, q := range paths {
			if len(q) < len(p) && p.HasPrefix(q) {
				inside = true
				break
			}
		}
		if !inside && !containsPath(roots, p) {
			roots = append(roots, p)
		}
	}
	return roots
}

func containsPath(paths []cty.Path, p cty.Path) bool {
	for _, q := range paths {
		if q.Equals(p) {
			return true
		}
	}
	return false
}
