package lesion

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn/models"
)

// SingleRow is the test error with one block deleted.
type SingleRow struct {
	Index int
	models.Block
	// Errors are NaN for a block that cannot be deleted (a plain layer
	// that changes its input's shape).
	Errors
}

// Single deletes each block of m in turn and evaluates m on s (Veit et al.
// 2016, Figure 3), also after re-estimating the batch-norm statistics on
// bn with the block deleted when bn is not nil. It returns the errors of
// the whole network and a row per block, and leaves every block running
// normally with its trained statistics.
func Single(m models.Lesionable, dev *autograd.Device, s, bn *Set) (base Errors, rows []SingleRow) {
	base = measure(m, dev, s, bn)
	for i, b := range m.Blocks() {
		r := SingleRow{Index: i, Block: b, Errors: Errors{math.NaN(), math.NaN()}}
		if b.Deletable {
			m.SetMode(i, models.BlockDeleted)
			r.Errors = measure(m, dev, s, bn)
			m.SetMode(i, models.BlockNormal)
		}
		rows = append(rows, r)
	}
	return base, rows
}
