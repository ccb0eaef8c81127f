package data

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
)

// RandomErasing sets a random rectangle of the image to zero after
// normalisation (the mean colour) with probability P (Zhong et al. 2020,
// "Random Erasing Data Augmentation", as torchvision's RandomErasing with
// value 0): the rectangle covers a fraction of the area drawn from Scale
// and has a height/width ratio drawn log-uniformly from Ratio; after ten
// draws that do not fit, the image is left alone. Zero P means 0.5, zero
// Scale [0.02, 0.33] and zero Ratio [0.3, 3.3]. A uint8 batch holds the
// mean rounded to 8 bits there. It is a pixel transform: put it after the
// crops and resizes.
type RandomErasing struct {
	P            float64
	Scale, Ratio [2]float64
}

// Apply implements Transform.
func (t RandomErasing) Apply(v *View, r *rand.Rand) {
	p, scale, ratio := t.P, t.Scale, t.Ratio
	if p == 0 {
		p = 0.5
	}
	if scale == [2]float64{} {
		scale = [2]float64{0.02, 0.33}
	}
	if ratio == [2]float64{} {
		ratio = [2]float64{0.3, 3.3}
	}
	if r.Float64() >= p {
		return
	}
	W, H := v.OutW, v.OutH
	lo, hi := math.Log(ratio[0]), math.Log(ratio[1])
	for range 10 {
		area := float64(W*H) * (scale[0] + r.Float64()*(scale[1]-scale[0]))
		ar := math.Exp(lo + r.Float64()*(hi-lo))
		h := int(math.RoundToEven(math.Sqrt(area * ar)))
		w := int(math.RoundToEven(math.Sqrt(area / ar)))
		if h >= H || w >= W {
			continue
		}
		y, x := r.IntN(H-h+1), r.IntN(W-w+1)
		v.Erase = append(v.Erase, image.Rect(x, y, x+w, y+h))
		return
	}
}

func (t RandomErasing) check(int, bool) error {
	switch {
	case !(t.P >= 0 && t.P <= 1):
		return fmt.Errorf("data: RandomErasing probability %v is not in [0, 1]", t.P)
	case !(t.Scale[0] <= t.Scale[1] && t.Scale[0] >= 0 && t.Scale[1] <= 1):
		return fmt.Errorf("data: RandomErasing scale %v is not a range within [0, 1]", t.Scale)
	case !(t.Ratio[0] <= t.Ratio[1] && (t.Ratio[0] > 0 || t.Ratio == [2]float64{})):
		return fmt.Errorf("data: RandomErasing ratio %v is not a positive range", t.Ratio)
	}
	return nil
}
