package data

import (
	"cmp"
	"fmt"
	"math/rand/v2"
)

// randomOps are the operations RandAugment and TrivialAugmentWide draw
// from, uniformly, in torchvision's order.
var randomOps = []augOp{opIdentity, opShearX, opShearY, opTranslateX, opTranslateY, opRotate,
	opBrightness, opColor, opContrast, opSharpness, opPosterize, opSolarize, opAutoContrast, opEqualize}

// defaultBins is RandAugment's and TrivialAugmentWide's number of
// magnitude bins.
const defaultBins = 31

// RandAugment applies NumOps operations drawn uniformly (with
// replacement) from 14, each at bin Magnitude of Bins with a random sign
// where it has one (Cubuk et al. 2020, "RandAugment: Practical automated
// data augmentation with a reduced search space", as torchvision's
// RandAugment). Zero NumOps means 2 and zero Bins 31; Magnitude is taken
// as it is (torchvision's default is 9). It is a pixel transform: put it
// after the crops and resizes. Warps use Interpolation (nearest or, for
// the others, bilinear) and fill with 0.
type RandAugment struct {
	NumOps, Magnitude, Bins int
	Interpolation           Interpolation
}

// Apply implements Transform.
func (t RandAugment) Apply(v *View, r *rand.Rand) {
	bins := cmp.Or(t.Bins, defaultBins)
	for range cmp.Or(t.NumOps, 2) {
		op := standardSpace.drawOp(r, randomOps, bins, func() int { return t.Magnitude }, v.OutW, v.OutH, t.Interpolation)
		if op != nil {
			v.Pixels = append(v.Pixels, op)
		}
	}
}

func (t RandAugment) check(channels int, masks bool) error {
	bins := cmp.Or(t.Bins, defaultBins)
	switch {
	case t.NumOps < 0:
		return fmt.Errorf("data: RandAugment NumOps %d is negative", t.NumOps)
	case bins < 2:
		return fmt.Errorf("data: RandAugment needs at least 2 magnitude bins, not %d", bins)
	case t.Magnitude < 0 || t.Magnitude >= bins:
		return fmt.Errorf("data: RandAugment magnitude %d is not a bin in [0, %d)", t.Magnitude, bins)
	}
	return checkWarp("RandAugment", channels, masks)
}

// TrivialAugmentWide applies one operation drawn uniformly from 14, at a
// bin drawn uniformly from Bins, with a random sign where it has one, over
// wider ranges than RandAugment's (Müller and Hutter 2021, "TrivialAugment:
// Tuning-free Yet State-of-the-Art Data Augmentation", as torchvision's
// TrivialAugmentWide). Zero Bins means 31. It is a pixel transform: put
// it after the crops and resizes.
type TrivialAugmentWide struct {
	Bins          int
	Interpolation Interpolation
}

// Apply implements Transform.
func (t TrivialAugmentWide) Apply(v *View, r *rand.Rand) {
	bins := cmp.Or(t.Bins, defaultBins)
	op := wideSpace.drawOp(r, randomOps, bins, func() int { return r.IntN(bins) }, v.OutW, v.OutH, t.Interpolation)
	if op != nil {
		v.Pixels = append(v.Pixels, op)
	}
}

func (t TrivialAugmentWide) check(channels int, masks bool) error {
	if t.Bins == 1 || t.Bins < 0 {
		return fmt.Errorf("data: TrivialAugmentWide needs at least 2 magnitude bins, not %d", t.Bins)
	}
	return checkWarp("TrivialAugmentWide", channels, masks)
}
