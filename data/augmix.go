package data

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
)

// augMixOps are the operations AugMix's chains draw from, uniformly, in
// torchvision's order (all_ops: the enhancements included).
var augMixOps = []augOp{opShearX, opShearY, opTranslateX, opTranslateY, opRotate, opPosterize, opSolarize,
	opAutoContrast, opEqualize, opBrightness, opColor, opContrast, opSharpness}

// augMixBins is AugMix's number of magnitude bins (torchvision's
// _PARAMETER_MAX); Severity picks among the lowest.
const augMixBins = 10

// AugMix mixes the image with Width augmented copies of itself
// (Hendrycks et al. 2020, "AugMix: A Simple Data Processing Method to
// Improve Robustness and Uncertainty", as torchvision's AugMix): each copy
// goes through a chain of Depth operations (a depth drawn from 1 to 3 for
// each chain when Depth is 0 or negative), each at a bin drawn from the
// lowest Severity of 10; the copies are mixed with Dirichlet(Alpha)
// weights and the result with the original by a Beta(Alpha, Alpha) weight.
// Zero Severity means 3, zero Width 3 and zero Alpha 1. It is a pixel
// transform: put it after the crops and resizes.
type AugMix struct {
	Severity, Width, Depth int
	Alpha                  float64
	Interpolation          Interpolation
}

// augMixOp is one drawn AugMix: the original's weight and each chain's.
type augMixOp struct {
	keep   float32
	chains []augMixChain
}

type augMixChain struct {
	weight float32
	ops    []PixelOp
}

// Apply implements Transform. It draws the weights first, then the
// chains, as torchvision.
func (t AugMix) Apply(v *View, r *rand.Rand) {
	severity, width, alpha := cmp.Or(t.Severity, 3), cmp.Or(t.Width, 3), cmp.Or(t.Alpha, 1)
	beta := dirichlet(r, alpha, 2)
	weights := dirichlet(r, alpha, width)
	op := augMixOp{keep: float32(beta[0]), chains: make([]augMixChain, width)}
	for k := range op.chains {
		depth := t.Depth
		if depth <= 0 {
			depth = 1 + r.IntN(3)
		}
		ch := &op.chains[k]
		ch.weight = float32(weights[k] * beta[1])
		for range depth {
			step := augMixSpace.drawOp(r, augMixOps, augMixBins, func() int { return r.IntN(severity) }, v.OutW, v.OutH, t.Interpolation)
			ch.ops = append(ch.ops, step)
		}
	}
	v.Pixels = append(v.Pixels, op)
}

func (t AugMix) check(channels int, masks bool) error {
	switch {
	case t.Severity < 0 || t.Severity > augMixBins:
		return fmt.Errorf("data: AugMix severity %d is not in [1, %d]", t.Severity, augMixBins)
	case t.Width < 0:
		return fmt.Errorf("data: AugMix width %d is negative", t.Width)
	case !(t.Alpha >= 0) || math.IsInf(t.Alpha, 0):
		return fmt.Errorf("data: AugMix alpha %v is not a positive number", t.Alpha)
	}
	return checkWarp("AugMix", channels, masks)
}

// apply sums keep*original + sum of weight*chain in float32 and truncates
// to 8 bits, as torchvision's AugMix on uint8 tensors.
func (o augMixOp) apply(m *Image, s *scratch) {
	copyImage(&s.orig, m)
	s.mix = grow(s.mix, len(m.Pix))
	for i, p := range s.orig.Pix {
		s.mix[i] = o.keep * float32(p)
	}
	for _, ch := range o.chains {
		copyImage(&s.chain, &s.orig)
		for _, op := range ch.ops {
			op.apply(&s.chain, s)
		}
		for i, p := range s.chain.Pix {
			s.mix[i] += float32(ch.weight * float32(p))
		}
	}
	for i, x := range s.mix {
		m.Pix[i] = uint8(min(255, max(0, x)))
	}
}

// dirichlet draws n weights from a symmetric Dirichlet distribution of
// concentration alpha: Gamma(alpha) draws, normalised.
func dirichlet(r *rand.Rand, alpha float64, n int) []float64 {
	w := make([]float64, n)
	var sum float64
	for i := range w {
		w[i] = gamma(r, alpha)
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

// gamma draws from Gamma(alpha, 1) by Marsaglia and Tsang's method (2000,
// "A Simple Method for Generating Gamma Variables"), boosted by U^(1/alpha)
// for alpha < 1.
func gamma(r *rand.Rand, alpha float64) float64 {
	if alpha < 1 {
		return gamma(r, alpha+1) * math.Pow(1-r.Float64(), 1/alpha)
	}
	d := alpha - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
