package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ColorJitter changes brightness, contrast, saturation and hue by random
// amounts, in a random order, as torchvision's ColorJitter: Brightness b
// multiplies by a factor drawn from [max(0, 1-b), 1+b], Contrast and
// Saturation likewise, and Hue h turns the hue by a fraction of the
// circle drawn from [-h, h] (h at most 0.5); zero leaves that property
// alone. Saturation and hue leave 1-channel images alone. It is a pixel
// transform: put it after the crops and resizes.
type ColorJitter struct{ Brightness, Contrast, Saturation, Hue float64 }

// Apply implements Transform: it draws the order, then the factors, as
// torchvision's get_params.
func (t ColorJitter) Apply(v *View, r *rand.Rand) {
	order := r.Perm(4)
	factor := func(x float64) float64 { return max(0, 1-x) + r.Float64()*(1+x-max(0, 1-x)) }
	var ops [4]PixelOp
	if t.Brightness > 0 {
		ops[0] = brightnessOp{factor(t.Brightness)}
	}
	if t.Contrast > 0 {
		ops[1] = contrastOp{factor(t.Contrast)}
	}
	if t.Saturation > 0 {
		ops[2] = saturationOp{factor(t.Saturation)}
	}
	if t.Hue > 0 {
		ops[3] = hueOp{-t.Hue + r.Float64()*2*t.Hue}
	}
	for _, k := range order {
		if ops[k] != nil {
			v.Pixels = append(v.Pixels, ops[k])
		}
	}
}

func (t ColorJitter) check(channels int, _ bool) error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"brightness", t.Brightness}, {"contrast", t.Contrast}, {"saturation", t.Saturation}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("data: ColorJitter %s %v is not a non-negative number", f.name, f.v)
		}
	}
	if !(t.Hue >= 0 && t.Hue <= 0.5) {
		return fmt.Errorf("data: ColorJitter hue %v is not in [0, 0.5]", t.Hue)
	}
	return checkColour("ColorJitter", channels)
}
