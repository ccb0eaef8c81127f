package data

import (
	"fmt"
	"image"
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
	// Interpolation resamples the box to the output; the resizing
	// transforms set it. Masks are always sampled by nearest neighbour.
	Interpolation Interpolation

	// The pixel stage, planned by pixel transforms (ColorJitter,
	// AutoAugment, RandomErasing, ...) with their random parameters
	// drawn, and carried out by the Loader on the resampled 8-bit output.
	// Pixels edit the output in order, before normalisation.
	Pixels []PixelOp
	// Shift is added to channel c, in units of the full range (as v/255),
	// before normalisation: PCA lighting noise. nil adds nothing.
	Shift []float32
	// Erase lists regions of the output set to zero after normalisation.
	Erase []image.Rectangle
}

// NewView returns the identity view of a w x h source.
func NewView(w, h int) View {
	return View{BoxW: float64(w), BoxH: float64(h), OutW: w, OutH: h}
}

// Crop keeps the w x h region at (x, y) of the current output, which may
// reach past its edges (padding), and makes that region the new output. It
// panics unless w and h are positive, or after a pixel transform.
func (v *View) Crop(x, y, w, h int) {
	if w <= 0 || h <= 0 {
		panic(fmt.Sprintf("data: View.Crop to %dx%d", w, h))
	}
	v.mustPrecedePixels("Crop")
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
// positive, or after a pixel transform.
func (v *View) Resize(w, h int) {
	if w <= 0 || h <= 0 {
		panic(fmt.Sprintf("data: View.Resize to %dx%d", w, h))
	}
	v.mustPrecedePixels("Resize")
	v.OutW, v.OutH = w, h
}

// mustPrecedePixels panics when a pixel transform has already planned
// work for the output, whose size its draws depend on.
func (v *View) mustPrecedePixels(op string) {
	if len(v.Pixels) > 0 || len(v.Erase) > 0 {
		panic("data: View." + op + " after a pixel transform; crop and resize first")
	}
}

// Transform is one seeded augmentation or preprocessing step. Apply edits
// v and draws any randomness from r, which the Loader seeds from its seed,
// the epoch and the example index, so results do not depend on scheduling.
type Transform interface {
	Apply(v *View, r *rand.Rand)
}
