package lesion

import (
	"fmt"
	"math/rand/v2"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn/models"
)

// ReorderRow is the test error with the blocks run in Order after K random
// swaps.
type ReorderRow struct {
	K, Draw int
	Order   []int // Order[j]: the block run at position j
	Tau     float64
	Error   float64
}

// Reorder swaps k random pairs of interchangeable blocks of m (same
// models.Block.Group), one swap after another, draws times for each
// k = 1..maxK, and evaluates m on s with the blocks in the resulting order
// (Veit et al. 2016, Figure 4b). Tau is the Kendall rank correlation of the
// order with the original one. It panics when no two blocks are
// interchangeable. m runs in its original order afterwards.
func Reorder(m models.Lesionable, dev *autograd.Device, s *Set, maxK, draws int, rng *rand.Rand) []ReorderRow {
	blocks := m.Blocks()
	groups := map[int][]int{}
	var swappable []int // blocks with at least one partner
	for i, b := range blocks {
		if b.Group >= 0 {
			groups[b.Group] = append(groups[b.Group], i)
		}
	}
	for i, b := range blocks {
		if b.Group >= 0 && len(groups[b.Group]) > 1 {
			swappable = append(swappable, i)
		}
	}
	if len(swappable) == 0 {
		panic("lesion: Reorder: no two blocks are interchangeable")
	}
	defer m.SetOrder(nil)
	var rows []ReorderRow
	for k := 1; k <= maxK; k++ {
		for d := range draws {
			order := make([]int, len(blocks))
			for i := range order {
				order[i] = i
			}
			for range k {
				a := swappable[rng.IntN(len(swappable))]
				g := groups[blocks[a].Group]
				b := g[rng.IntN(len(g)-1)]
				if b == a { // draw among the others: skip a
					b = g[len(g)-1]
				}
				order[a], order[b] = order[b], order[a]
			}
			m.SetOrder(order)
			rows = append(rows, ReorderRow{K: k, Draw: d, Order: order, Tau: KendallTau(order), Error: Evaluate(m, dev, s)})
		}
	}
	return rows
}

// KendallTau returns the Kendall rank correlation between the permutation
// order of 0..n-1 and the identity: (concordant - discordant pairs) / (n
// choose 2); 1 for the identity, -1 for the reversal. It panics when order
// is not a permutation or has fewer than two elements.
func KendallTau(order []int) float64 {
	n := len(order)
	seen := make([]bool, n)
	for _, v := range order {
		if v < 0 || v >= n || seen[v] {
			panic(fmt.Sprintf("lesion: KendallTau of %v, not a permutation", order))
		}
		seen[v] = true
	}
	if n < 2 {
		panic("lesion: KendallTau of fewer than two elements")
	}
	s := 0
	for i := range n {
		for j := i + 1; j < n; j++ {
			if order[i] < order[j] {
				s++
			} else {
				s--
			}
		}
	}
	return float64(s) / float64(n*(n-1)/2)
}
