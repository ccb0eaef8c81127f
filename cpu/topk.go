package cpu

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// TopKCounts sets counts[j] to the number of rows whose label is among the
// j+1 best logits of its row, for j < len(counts). A label's rank is the
// number of logits strictly greater than its own plus the equal ones at
// lower indices; a NaN label logit, or a label outside [0, classes), counts
// in none. logits: (rows, classes); labels: (rows); counts: (k).
func (b *Backend) TopKCounts(rows, classes int, logits, labels, counts autograd.Buffer) {
	xv, lv, cv := floats(logits), ints(labels), floats(counts)
	mustLen("TopKCounts", rows*classes, len(xv))
	mustLen("TopKCounts labels", rows, len(lv))
	hits := make([]int, len(cv))
	for r, label := range lv {
		if label < 0 || int(label) >= classes {
			continue
		}
		row := xv[r*classes : (r+1)*classes]
		v := row[label]
		if math.IsNaN(float64(v)) {
			continue
		}
		rank := 0
		for j, x := range row {
			if x > v || (x == v && j < int(label)) {
				rank++
			}
		}
		for j := rank; j < len(hits); j++ {
			hits[j]++
		}
	}
	for j, n := range hits {
		cv[j] = float32(n)
	}
}
