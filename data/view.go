package data

import (
	"fmt"
	"math/rand/v2"
)

// View is the plan for turning one decoded example into one batch entry:
// the box of the source image (in source pixels, possibly reaching past
// its edges, which reads as zero padding) that is resampled to an output
// of OutW x OutH, whether the output is mirrored left to right, and how
// pixel values are normalised. Transforms edit a View; the Loader resamples
// once at the end, so a chain of crops and resizes costs one pass and one
// interpolation.
type View struct {
	X0, Y0, BoxW, BoxH float64
	OutW, OutH         int
	Flip               bool
	// Mean and Std normalise channel c to (v/255 - Mean[c]) / Std[c];
	// nil leaves v/255.
	Mean, Std []float32
}

// NewView returns the identity view of a w x h source.
func NewView(w, h int) View {
	return View{BoxW: float64(w), BoxH: float64(h), OutW: w, OutH: h}
}

// Crop keeps the w x h region at (x, y) of the current output, which may
// reach past its edges (padding), and makes that region the new output. It
// panics unless w and h are positive.
func (v *View) Crop(x, y, w, h int) {
	if w <= 0 || h <= 0 {
		panic(fmt.Sprintf("data: View.Crop to %dx%d", w, h))
	}
	sx, sy := v.BoxW/float64(v.OutW), v.BoxH/float64(v.OutH)
	if v.Flip { // output x counts from the source box's right edge
		x = v.OutW - x - w
	}
	v.X0 += float64(x) * sx
	v.Y0 += float64(y) * sy
	v.BoxW, v.BoxH = float64(w)*sx, float64(h)*sy
	v.OutW, v.OutH = w, h
}

// Resize scales the current output to w x h. It panics unless w and h are
// positive.
func (v *View) Resize(w, h int) {
	if w <= 0 || h <= 0 {
		panic(fmt.Sprintf("data: View.Resize to %dx%d", w, h))
	}
	v.OutW, v.OutH = w, h
}

// Transform is one seeded augmentation or preprocessing step. Apply edits
// v and draws any randomness from r, which the Loader seeds from its seed,
// the epoch and the example index, so results do not depend on scheduling.
type Transform interface {
	Apply(v *View, r *rand.Rand)
}
