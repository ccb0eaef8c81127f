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
	// Error is NaN for a block that cannot be deleted (a plain layer that
	// changes its input's shape).
	Error float64
}

// Single deletes each block of m in turn and evaluates m on s (Veit et al.
// 2016, Figure 3). It returns the error of the whole network and a row per
// block, and leaves every block running normally.
func Single(m models.Lesionable, dev *autograd.Device, s *Set) (base float64, rows []SingleRow) {
	base = Evaluate(m, dev, s)
	for i, b := range m.Blocks() {
		r := SingleRow{Index: i, Block: b, Error: math.NaN()}
		if b.Deletable {
			m.SetMode(i, models.BlockDeleted)
			r.Error = Evaluate(m, dev, s)
			m.SetMode(i, models.BlockNormal)
		}
		rows = append(rows, r)
	}
	return base, rows
}
