package data_test

import (
	"slices"
	"testing"

	"github.com/gocnn/gocnn/data"
)

// sortedByClass returns the first n of each of the embedded sample's
// classes, class after class, as an image folder lists them.
func sortedByClass(t *testing.T, n int) *data.Memory {
	m := fashion(t, "train")
	out := &data.Memory{H: m.H, W: m.W, C: m.C, ClassNames: m.ClassNames}
	sz := m.H * m.W * m.C
	for c := range int32(len(m.ClassNames)) {
		taken := 0
		for i, l := range m.Labels {
			if l == c && taken < n {
				out.Pix = append(out.Pix, m.Pix[i*sz:(i+1)*sz]...)
				out.Labels = append(out.Labels, l)
				taken++
			}
		}
	}
	return out
}

func labelsOf(ds data.Dataset) []int32 {
	l := ds.(*data.Subset)
	var labels []int32
	for _, i := range l.Indices {
		labels = append(labels, l.Dataset.(data.Labeled).Label(i))
	}
	return labels
}

// TestLimitIsBalancedAndSeeded checks that a limit smaller than one class
// of a dataset sorted by class still takes every class, about equally,
// that the same seed takes the same examples, and another seed others.
func TestLimitIsBalancedAndSeeded(t *testing.T) {
	m := sortedByClass(t, 20) // 10 classes of 20
	sub := data.Limit(m, 15, 1)
	if sub.Len() != 15 {
		t.Fatalf("%d examples, want 15", sub.Len())
	}
	perClass := map[int32]int{}
	for _, l := range labelsOf(sub) {
		perClass[l]++
	}
	for c := range int32(10) {
		if n := perClass[c]; n < 1 || n > 2 {
			t.Errorf("class %d has %d of 15 examples, want 1 or 2 (%v)", c, n, perClass)
		}
	}
	idx := sub.(*data.Subset).Indices
	if !slices.IsSorted(idx) {
		t.Errorf("indices %v are not in the dataset's order", idx)
	}
	if again := data.Limit(m, 15, 1).(*data.Subset).Indices; !slices.Equal(again, idx) {
		t.Errorf("seed 1 drew %v, then %v", idx, again)
	}
	if other := data.Limit(m, 15, 2).(*data.Subset).Indices; slices.Equal(other, idx) {
		t.Errorf("seeds 1 and 2 drew the same examples %v", idx)
	}
	var ex data.Example
	if err := sub.Load(3, &ex); err != nil || ex.Label != m.Labels[idx[3]] {
		t.Errorf("example 3 of the subset: label %d, %v; want example %d's %d", ex.Label, err, idx[3], m.Labels[idx[3]])
	}
}

// TestLimitFillsFromLargerClasses checks that classes too small for their
// share give all they have and the others make up the rest.
func TestLimitFillsFromLargerClasses(t *testing.T) {
	m := &data.Memory{H: 1, W: 1, C: 1, Pix: make([]uint8, 12), ClassNames: []string{"a", "b", "c"},
		Labels: []int32{0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2}}
	perClass := map[int32]int{}
	for _, l := range labelsOf(data.Limit(m, 9, 7)) {
		perClass[l]++
	}
	if perClass[0] != 1 || perClass[1]+perClass[2] != 8 || perClass[1] < 4 || perClass[2] < 4 {
		t.Errorf("9 of classes sized 1, 5, 6: %v, want 1 and 4 or 5 of the others", perClass)
	}
}

// TestLimitWithoutLabels checks that a dataset without class labels
// (segmentation) keeps its first n, and that a limit above the size keeps
// the dataset.
func TestLimitWithoutLabels(t *testing.T) {
	seg := fashionSeg(t, "val", 30)
	if got := data.Limit(seg, 10, 1).(*data.Subset).Indices; !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("segmentation limit 10: %v, want the first 10", got)
	}
	if got := data.Limit(seg, 30, 1); got != data.Dataset(seg) {
		t.Errorf("a limit of the whole dataset wrapped it: %T", got)
	}
}
