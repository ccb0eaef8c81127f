package optim

import (
	"fmt"
	"math"
)

// PolynomialLR decays Base to zero over Total steps as
// (1 - t/Total)^Power (torch's PolynomialLR). torchvision's segmentation
// recipe uses Power 0.9 per iteration, with Total the iterations after
// warmup.
type PolynomialLR struct {
	Base  float64
	Total int
	Power float64
}

// LR returns Base * (1 - min(t, Total)/Total)^Power: zero from Total on.
func (s PolynomialLR) LR(t int) float64 {
	return s.Base * math.Pow(1-float64(min(t, s.Total))/float64(s.Total), s.Power)
}

// Validate checks Total, Power and Base.
func (s PolynomialLR) Validate() error {
	if s.Total < 1 {
		return fmt.Errorf("optim: PolynomialLR total %d", s.Total)
	}
	return checkRate("PolynomialLR", s.Base, s.Power)
}
