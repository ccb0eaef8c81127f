package lesion

import (
	"math/rand/v2"
	"slices"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn/models"
)

// RandomRow is the test error with K random blocks deleted at once.
type RandomRow struct {
	K, Draw int
	Deleted []int // block indices, ascending
	Errors
}

// Random deletes k blocks of m drawn uniformly without replacement from
// its deletable ones, draws times for each k = 1..maxK, and evaluates m on
// s each time (Veit et al. 2016, Figure 4a), also after re-estimating the
// batch-norm statistics on bn when bn is not nil. It panics when maxK
// exceeds the number of deletable blocks. Every block runs normally with
// its trained statistics afterwards.
func Random(m models.Lesionable, dev *autograd.Device, s, bn *Set, maxK, draws int, rng *rand.Rand) []RandomRow {
	var deletable []int
	for i, b := range m.Blocks() {
		if b.Deletable {
			deletable = append(deletable, i)
		}
	}
	if maxK > len(deletable) {
		panic("lesion: Random: more blocks to delete than the network has")
	}
	var rows []RandomRow
	for k := 1; k <= maxK; k++ {
		for d := range draws {
			pick := slices.Clone(deletable)
			rng.Shuffle(len(pick), func(i, j int) { pick[i], pick[j] = pick[j], pick[i] })
			pick = pick[:k]
			slices.Sort(pick)
			for _, i := range pick {
				m.SetMode(i, models.BlockDeleted)
			}
			rows = append(rows, RandomRow{K: k, Draw: d, Deleted: pick, Errors: measure(m, dev, s, bn)})
			for _, i := range pick {
				m.SetMode(i, models.BlockNormal)
			}
		}
	}
	return rows
}
