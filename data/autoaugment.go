package data

import "math/rand/v2"

// AutoAugment applies one of the 25 sub-policies that Cubuk et al. 2019
// learned on ImageNet ("AutoAugment: Learning Augmentation Strategies from
// Data", as torchvision's AutoAugment with AutoAugmentPolicy.IMAGENET):
// each sub-policy is two operations, each applied with its probability at
// its magnitude (one of 10 bins, with a random sign where it has one).
// It is a pixel transform: put it after the crops and resizes. Warps use
// Interpolation (nearest or, for the others, bilinear) and fill with 0.
type AutoAugment struct{ Interpolation Interpolation }

// policyStep is one operation of a sub-policy: applied with probability
// p, at magnitude bin (-1 for operations without one).
type policyStep struct {
	op  augOp
	p   float64
	bin int
}

// imageNetPolicy is AutoAugment's ImageNet policy, in torchvision's
// order.
var imageNetPolicy = [25][2]policyStep{
	{{opPosterize, 0.4, 8}, {opRotate, 0.6, 9}},
	{{opSolarize, 0.6, 5}, {opAutoContrast, 0.6, -1}},
	{{opEqualize, 0.8, -1}, {opEqualize, 0.6, -1}},
	{{opPosterize, 0.6, 7}, {opPosterize, 0.6, 6}},
	{{opEqualize, 0.4, -1}, {opSolarize, 0.2, 4}},
	{{opEqualize, 0.4, -1}, {opRotate, 0.8, 8}},
	{{opSolarize, 0.6, 3}, {opEqualize, 0.6, -1}},
	{{opPosterize, 0.8, 5}, {opEqualize, 1.0, -1}},
	{{opRotate, 0.2, 3}, {opSolarize, 0.6, 8}},
	{{opEqualize, 0.6, -1}, {opPosterize, 0.4, 6}},
	{{opRotate, 0.8, 8}, {opColor, 0.4, 0}},
	{{opRotate, 0.4, 9}, {opEqualize, 0.6, -1}},
	{{opEqualize, 0.0, -1}, {opEqualize, 0.8, -1}},
	{{opInvert, 0.6, -1}, {opEqualize, 1.0, -1}},
	{{opColor, 0.6, 4}, {opContrast, 1.0, 8}},
	{{opRotate, 0.8, 8}, {opColor, 1.0, 2}},
	{{opColor, 0.8, 8}, {opSolarize, 0.8, 7}},
	{{opSharpness, 0.4, 7}, {opInvert, 0.6, -1}},
	{{opShearX, 0.6, 5}, {opEqualize, 1.0, -1}},
	{{opColor, 0.4, 0}, {opEqualize, 0.6, -1}},
	{{opEqualize, 0.4, -1}, {opSolarize, 0.2, 4}},
	{{opSolarize, 0.6, 5}, {opAutoContrast, 0.6, -1}},
	{{opInvert, 0.6, -1}, {opEqualize, 1.0, -1}},
	{{opColor, 0.6, 4}, {opContrast, 1.0, 8}},
	{{opEqualize, 0.8, -1}, {opEqualize, 0.6, -1}},
}

// autoAugmentBins is the number of magnitude bins of AutoAugment.
const autoAugmentBins = 10

// Apply implements Transform: it draws the sub-policy, then both steps'
// chances and signs, as torchvision's get_params.
func (t AutoAugment) Apply(v *View, r *rand.Rand) {
	sub := imageNetPolicy[r.IntN(len(imageNetPolicy))]
	chance := [2]float64{r.Float64(), r.Float64()}
	negate := [2]bool{r.IntN(2) == 0, r.IntN(2) == 0}
	for k, step := range sub {
		if chance[k] > step.p {
			continue
		}
		op := standardSpace.pixelOp(step.op, max(step.bin, 0), autoAugmentBins, negate[k], v.OutW, v.OutH, t.Interpolation)
		v.Pixels = append(v.Pixels, op)
	}
}

func (t AutoAugment) check(channels int, masks bool) error {
	return checkWarp("AutoAugment", channels, masks)
}
