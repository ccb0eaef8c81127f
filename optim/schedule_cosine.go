package optim

import (
	"fmt"
	"math"
)

// CosineAnnealingLR follows half a cosine from Base down to Min over TMax
// steps (Loshchilov & Hutter's SGDR without restarts; torch's
// CosineAnnealingLR, whose closed form this is). torchvision sets TMax to
// the epochs after warmup.
type CosineAnnealingLR struct {
	Base, Min float64
	TMax      int
}

// LR returns Min + (Base-Min)*(1+cos(pi*t/TMax))/2; past TMax the cosine
// rises again, as torch's closed form does.
func (s CosineAnnealingLR) LR(t int) float64 {
	return s.Min + (s.Base-s.Min)*(1+math.Cos(math.Pi*float64(t)/float64(s.TMax)))/2
}

// Validate checks TMax and the rates.
func (s CosineAnnealingLR) Validate() error {
	if s.TMax < 1 {
		return fmt.Errorf("optim: CosineAnnealingLR TMax %d", s.TMax)
	}
	return checkRate("CosineAnnealingLR", s.Base, s.Min)
}
