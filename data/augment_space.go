package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// augOp is one operation of the automatic augmentation policies
// (AutoAugment, RandAugment, TrivialAugmentWide, AugMix).
type augOp int

// The operations, in the order torchvision's RandAugment and
// TrivialAugmentWide list (and draw) them; Invert only appears in
// AutoAugment's ImageNet policy.
const (
	opIdentity augOp = iota
	opShearX
	opShearY
	opTranslateX
	opTranslateY
	opRotate
	opBrightness
	opColor
	opContrast
	opSharpness
	opPosterize
	opSolarize
	opAutoContrast
	opEqualize
	opInvert
)

var augOpNames = [...]string{"Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate",
	"Brightness", "Color", "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize", "Invert"}

// String returns torchvision's name of the operation.
func (o augOp) String() string { return augOpNames[o] }

// signed reports whether the operation's magnitude takes a random sign.
func (o augOp) signed() bool { return o >= opShearX && o <= opSharpness }

// hasMagnitude reports whether the operation has a magnitude at all.
func (o augOp) hasMagnitude() bool { return o.signed() || o == opPosterize || o == opSolarize }

// augSpace is a policy's magnitude ranges, torchvision's
// _augmentation_space: bin i of bins takes top*i/(bins-1) of a range
// [0, top]; Posterize's bits and Solarize's threshold fall instead.
type augSpace struct {
	shear, rotate, enhance float64 // tops; enhance is Brightness, Color, Contrast, Sharpness
	// translate is the top of TranslateX (of TranslateY) for an image
	// side (height) of side pixels.
	translate func(side int) float64
	// Posterize keeps posterizeTop - round(i/((bins-1)/posterizeSpan))
	// bits.
	posterizeTop, posterizeSpan int
}

var (
	// standardSpace is AutoAugment's and RandAugment's.
	standardSpace = augSpace{shear: 0.3, rotate: 30, enhance: 0.9, posterizeTop: 8, posterizeSpan: 4,
		translate: func(side int) float64 { return 150.0 / 331 * float64(side) }}
	// wideSpace is TrivialAugmentWide's.
	wideSpace = augSpace{shear: 0.99, rotate: 135, enhance: 0.99, posterizeTop: 8, posterizeSpan: 6,
		translate: func(int) float64 { return 32 }}
	// augMixSpace is AugMix's.
	augMixSpace = augSpace{shear: 0.3, rotate: 30, enhance: 0.9, posterizeTop: 4, posterizeSpan: 4,
		translate: func(side int) float64 { return float64(side) / 3 }}
)

// magnitude returns op's unsigned magnitude at bin i of bins for a w x h
// image: a shear factor, pixels, degrees, an enhancement factor minus 1,
// bits or a threshold; 0 for operations without one.
func (s augSpace) magnitude(op augOp, i, bins, w, h int) float64 {
	frac := float64(i) / float64(bins-1)
	switch op {
	case opShearX, opShearY:
		return s.shear * frac
	case opTranslateX:
		return s.translate(w) * frac
	case opTranslateY:
		return s.translate(h) * frac
	case opRotate:
		return s.rotate * frac
	case opBrightness, opColor, opContrast, opSharpness:
		return s.enhance * frac
	case opPosterize:
		step := float64(bins-1) / float64(s.posterizeSpan)
		return float64(s.posterizeTop) - math.RoundToEven(float64(i)/step)
	case opSolarize:
		return 255 - 255*frac
	}
	return 0
}

// pixelOp returns op at bin i of bins, negated when negate is set and the
// op is signed, for a w x h image, as torchvision's _apply_op does it; nil
// for Identity. Warps use nearest neighbour when interp is Nearest and
// bilinear interpolation otherwise (torchvision's tensor warps have no
// bicubic).
func (s augSpace) pixelOp(op augOp, i, bins int, negate bool, w, h int, interp Interpolation) PixelOp {
	m := s.magnitude(op, i, bins, w, h)
	if negate && op.signed() {
		m = -m
	}
	nearest := interp == Nearest
	switch op {
	case opIdentity:
		return nil
	case opShearX:
		return shearX(m, h, nearest)
	case opShearY:
		return shearY(m, w, nearest)
	case opTranslateX:
		return translate(int(m), 0, nearest)
	case opTranslateY:
		return translate(0, int(m), nearest)
	case opRotate:
		return rotate(m, nearest)
	case opBrightness:
		return brightnessOp{1 + m}
	case opColor:
		return saturationOp{1 + m}
	case opContrast:
		return contrastOp{1 + m}
	case opSharpness:
		return sharpnessOp{1 + m}
	case opPosterize:
		return posterizeOp{int(m)}
	case opSolarize:
		return solarizeOp{m}
	case opAutoContrast:
		return autoContrastOp{}
	case opEqualize:
		return equalizeOp{}
	case opInvert:
		return invertOp{}
	}
	panic(fmt.Sprintf("data: unknown augmentation op %d", op))
}

// drawOp draws one operation of list uniformly, its bin from bin() when
// it has a magnitude, and its sign when it is signed: one step of
// RandAugment, TrivialAugmentWide and AugMix, which draw in that order.
func (s augSpace) drawOp(r *rand.Rand, list []augOp, bins int, bin func() int, w, h int, interp Interpolation) PixelOp {
	op := list[r.IntN(len(list))]
	i := 0
	if op.hasMagnitude() {
		i = bin()
	}
	negate := op.signed() && r.IntN(2) == 1
	return s.pixelOp(op, i, bins, negate, w, h, interp)
}
