package render

import "github.com/zclconf/go-cty/cty"

// elementRun is one step of aligning two lists: an element kept in both, or the indexes
// of elements removed from the old list and added to the new one at that place.
type elementRun struct {
	kept           bool
	removed, added []int
}

// maxAlignCells bounds the LCS table; beyond it lists are compared position by position.
const maxAlignCells = 1 << 20

// alignElements matches the elements of before and after with a longest common
// subsequence, so inserting one element in a list shows one addition rather than a
// change of every element after it.
func alignElements(before, after []cty.Value) []elementRun {
	n, m := len(before), len(after)
	if n*m > maxAlignCells {
		return alignByPosition(before, after)
	}
	// lcs[i][j] is the LCS length of before[i:] and after[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if same(before[i], after[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var runs []elementRun
	var pending elementRun
	flush := func() {
		if len(pending.removed)+len(pending.added) > 0 {
			runs = append(runs, pending)
			pending = elementRun{}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && same(before[i], after[j]):
			flush()
			runs = append(runs, elementRun{kept: true})
			i++
			j++
		case j >= m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			pending.removed = append(pending.removed, i)
			i++
		default:
			pending.added = append(pending.added, j)
			j++
		}
	}
	flush()
	return runs
}

func alignByPosition(before, after []cty.Value) []elementRun {
	var runs []elementRun
	for i := 0; i < max(len(before), len(after)); i++ {
		switch {
		case i < len(before) && i < len(after) && same(before[i], after[i]):
			runs = append(runs, elementRun{kept: true})
		case i < len(before) && i < len(after):
			runs = append(runs, elementRun{removed: []int{i}, added: []int{i}})
		case i < len(before):
			runs = append(runs, elementRun{removed: []int{i}})
		default:
			runs = append(runs, elementRun{added: []int{i}})
		}
	}
	return runs
}
