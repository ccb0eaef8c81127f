package data

import (
	"fmt"
	"image"
	"math"
)

// PixelOp is one operation of the pixel stage with its parameters drawn:
// it edits a resampled 8-bit image in place, with torchvision's uint8
// semantics. Pixel transforms append them to View.Pixels; only this
// package implements it.
type PixelOp interface {
	apply(m *Image, s *scratch)
}

// scratch is the memory pixel ops borrow, one per worker.
type scratch struct {
	tmp         Image     // a copy for ops that read the image while writing it
	orig, chain Image     // AugMix's input and the chain being augmented
	mix         []float32 // AugMix's weighted sum
}

// copyImage makes dst a copy of src, reusing dst's memory.
func copyImage(dst, src *Image) {
	dst.reshape(src.H, src.W, src.C)
	copy(dst.Pix, src.Pix)
}

// pixelStage is one worker's pixel stage: the resampled example and the
// ops' scratch space.
type pixelStage struct {
	img          Image
	s            scratch
	scale, shift []float32
}

// hasPixelStage reports whether v plans any work for the pixel stage.
func (v *View) hasPixelStage() bool {
	return len(v.Pixels) > 0 || v.Shift != nil || len(v.Erase) > 0
}

// run resamples src through v to 8 bits, applies v's pixel ops, and writes
// the result into out (float32, normalised as v says) or, when out is nil,
// out8.
func (ps *pixelStage) run(rs *resampler, src *Image, v *View, out []float32, out8 []uint8) {
	ps.img.reshape(v.OutH, v.OutW, src.C)
	rs.image(src, v, nil, ps.img.Pix)
	for _, op := range v.Pixels {
		op.apply(&ps.img, &ps.s)
	}
	C := src.C
	ps.scale, ps.shift = grow(ps.scale, C), grow(ps.shift, C)
	pixelAffine(v.Mean, v.Std, ps.scale, ps.shift)
	if out != nil {
		for c := range C {
			if v.Shift != nil {
				ps.shift[c] += 255 * v.Shift[c] * ps.scale[c]
			}
		}
		for i, p := range ps.img.Pix {
			c := i % C
			out[i] = float32(p)*ps.scale[c] + ps.shift[c]
		}
	} else {
		for i, p := range ps.img.Pix {
			out8[i] = p
			if v.Shift != nil {
				out8[i] = clampRound(float64(p) + 255*float64(v.Shift[i%C]))
			}
		}
	}
	for _, r := range v.Erase {
		r = r.Intersect(image.Rect(0, 0, v.OutW, v.OutH))
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for i := (y*v.OutW + r.Min.X) * C; i < (y*v.OutW+r.Max.X)*C; i++ {
				if out != nil {
					out[i] = 0
				} else {
					out8[i] = normalisedZero(v, i%C)
				}
			}
		}
	}
}

// normalisedZero is the 8-bit value nearest to the one that channel c
// normalises to zero: the mean, or 0 without normalisation.
func normalisedZero(v *View, c int) uint8 {
	if v.Mean == nil {
		return 0
	}
	return clampRound(255 * float64(v.Mean[c]))
}

// clampRound rounds x half to even and clamps it to [0, 255], as torch's
// round and cast to uint8.
func clampRound(x float64) uint8 {
	return uint8(min(255, max(0, math.RoundToEven(x))))
}

// pixelTransform is a Transform that plans pixel-stage work; check says
// whether it can take a dataset's images, so that the Loader refuses a
// mismatch before the first epoch.
type pixelTransform interface {
	Transform
	check(channels int, masks bool) error
}

// checkColour accepts the images torchvision's colour operations take.
func checkColour(name string, channels int) error {
	if channels != 1 && channels != 3 {
		return fmt.Errorf("data: %s takes 1- or 3-channel images, not %d-channel ones", name, channels)
	}
	return nil
}

// checkWarp accepts the images of a policy that moves pixels: colour
// images without masks, which it would not move along.
func checkWarp(name string, channels int, masks bool) error {
	if masks {
		return fmt.Errorf("data: %s moves image pixels but not masks; use it on classification data", name)
	}
	return checkColour(name, channels)
}
