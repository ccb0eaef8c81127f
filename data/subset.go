package data

import (
	"maps"
	"math/rand/v2"
	"slices"
)

// Labeled is a Dataset that knows its examples' classes without loading
// them (an image folder's labels come from its folder names). Label
// returns -1 for an example without a class label (segmentation).
type Labeled interface {
	Dataset
	Label(i int) int32
}

// Label returns example i's class, read from its folder name.
func (f *ImageFolder) Label(i int) int32 { return f.Labels[i] }

// Label returns example i's class, -1 for segmentation.
func (m *Memory) Label(i int) int32 { return m.Labels[i] }

// Subset is the examples of a Dataset at Indices, in that order.
type Subset struct {
	Dataset
	Indices []int
}

// Len returns the number of indices.
func (s *Subset) Len() int { return len(s.Indices) }

// Load loads example Indices[i] of the underlying dataset.
func (s *Subset) Load(i int, ex *Example) error { return s.Dataset.Load(s.Indices[i], ex) }

// readFile hands over example Indices[i]'s file; the Loader calls it only
// when the underlying dataset is a fileDataset (see asFiles).
func (s *Subset) readFile(i int, ex *Example) (string, int, error) {
	return asFiles(s.Dataset).readFile(s.Indices[i], ex)
}

// asFiles returns ds as a fileDataset when it is one, a Subset of one
// included, or nil.
func asFiles(ds Dataset) fileDataset {
	if s, ok := ds.(*Subset); ok {
		if asFiles(s.Dataset) == nil {
			return nil
		}
		return s
	}
	f, _ := ds.(fileDataset)
	return f
}

// Check checks example Indices[i] when the underlying dataset is a
// Checker, and passes it otherwise.
func (s *Subset) Check(i int) error {
	if c, ok := s.Dataset.(Checker); ok {
		return c.Check(s.Indices[i])
	}
	return nil
}

// Limit returns n examples of ds (ds itself when it holds no more). When
// ds is Labeled, the examples are a class-balanced sample drawn with seed:
// n/classes of each class (classes with fewer give all they have and the
// others make up the difference), so that a small limit of a folder sorted
// by class still sees every class; the same seed draws the same examples,
// kept in ds's order. A dataset without labels (segmentation) gives its
// first n.
func Limit(ds Dataset, n int, seed uint64) Dataset {
	if n >= ds.Len() {
		return ds
	}
	l, ok := ds.(Labeled)
	if !ok {
		return &Subset{ds, firstIndices(n)}
	}
	byClass := map[int32][]int{}
	for i := range ds.Len() {
		label := l.Label(i)
		if label < 0 {
			return &Subset{ds, firstIndices(n)}
		}
		byClass[label] = append(byClass[label], i)
	}
	classes := slices.Sorted(maps.Keys(byClass))
	r := rand.New(rand.NewPCG(seed, uint64(len(classes))))
	for _, c := range classes {
		idx := byClass[c]
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	// The classes that take one more when n does not divide evenly are
	// drawn too, so that no class is favoured by its index.
	r.Shuffle(len(classes), func(i, j int) { classes[i], classes[j] = classes[j], classes[i] })
	var picked []int
	for round := 0; len(picked) < n; round++ {
		for _, c := range classes {
			if idx := byClass[c]; round < len(idx) && len(picked) < n {
				picked = append(picked, idx[round])
			}
		}
	}
	slices.Sort(picked)
	return &Subset{ds, picked}
}

func firstIndices(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}
