package data

import (
	"math"
	"math/rand/v2"
)

// RandomResizedCrop crops a random region of random area and aspect ratio
// and resizes it to Size x Size, as torchvision's RandomResizedCrop (ten
// tries, then a centre crop with the ratio clamped). Zero Scale means
// [0.08, 1] of the area; zero Ratio means [3/4, 4/3]. Interpolation
// resamples the crop (zero: Bilinear).
type RandomResizedCrop struct {
	Size          int
	Scale         [2]float64
	Ratio         [2]float64
	Interpolation Interpolation
}

// Apply implements Transform.
func (t RandomResizedCrop) Apply(v *View, r *rand.Rand) {
	scale, ratio := t.Scale, t.Ratio
	if scale == [2]float64{} {
		scale = [2]float64{0.08, 1}
	}
	if ratio == [2]float64{} {
		ratio = [2]float64{3.0 / 4, 4.0 / 3}
	}
	v.Interpolation = t.Interpolation
	W, H := v.OutW, v.OutH
	area := float64(W * H)
	lo, hi := math.Log(ratio[0]), math.Log(ratio[1])
	for range 10 {
		a := area * (scale[0] + r.Float64()*(scale[1]-scale[0]))
		ar := math.Exp(lo + r.Float64()*(hi-lo))
		w := int(math.Round(math.Sqrt(a * ar)))
		h := int(math.Round(math.Sqrt(a / ar)))
		if w > 0 && w <= W && h > 0 && h <= H {
			v.Crop(r.IntN(W-w+1), r.IntN(H-h+1), w, h)
			v.Resize(t.Size, t.Size)
			return
		}
	}
	w, h := W, H
	switch in := float64(W) / float64(H); {
	case in < ratio[0]:
		h = int(math.Round(float64(w) / ratio[0]))
	case in > ratio[1]:
		w = int(math.Round(float64(h) * ratio[1]))
	}
	v.Crop((W-w)/2, (H-h)/2, w, h)
	v.Resize(t.Size, t.Size)
}

// Resize scales the image so that its shorter side is Shorter pixels,
// keeping the aspect ratio (the longer side is truncated, as torchvision),
// resampled with Interpolation (zero: Bilinear).
type Resize struct {
	Shorter       int
	Interpolation Interpolation
}

// Apply implements Transform.
func (t Resize) Apply(v *View, _ *rand.Rand) {
	v.Interpolation = t.Interpolation
	w, h := v.OutW, v.OutH
	if w <= h {
		v.Resize(t.Shorter, t.Shorter*h/w)
	} else {
		v.Resize(t.Shorter*w/h, t.Shorter)
	}
}

// CenterCrop keeps the central W x H region, padding with zeros where the
// image is smaller, as torchvision's CenterCrop.
type CenterCrop struct{ W, H int }

// Apply implements Transform.
func (t CenterCrop) Apply(v *View, _ *rand.Rand) {
	// Python's round, which torchvision uses, rounds halves to even.
	x := int(math.RoundToEven(float64(v.OutW-t.W) / 2))
	y := int(math.RoundToEven(float64(v.OutH-t.H) / 2))
	v.Crop(x, y, t.W, t.H)
}

// HorizontalFlip mirrors the image left to right with probability P; zero
// P means one half.
type HorizontalFlip struct{ P float64 }

// Apply implements Transform.
func (t HorizontalFlip) Apply(v *View, r *rand.Rand) {
	p := t.P
	if p == 0 {
		p = 0.5
	}
	if r.Float64() < p {
		v.Flip = !v.Flip
	}
}

// RandomCrop pads the image with Pad zero pixels on every side and crops a
// random Size x Size region: the CIFAR augmentation (Size 32, Pad 4).
type RandomCrop struct{ Size, Pad int }

// Apply implements Transform.
func (t RandomCrop) Apply(v *View, r *rand.Rand) {
	x := r.IntN(max(1, v.OutW+2*t.Pad-t.Size+1)) - t.Pad
	y := r.IntN(max(1, v.OutH+2*t.Pad-t.Size+1)) - t.Pad
	v.Crop(x, y, t.Size, t.Size)
}

// ImageNetMean and ImageNetStd are the per-channel RGB statistics
// torchvision's ImageNet models are trained with.
var (
	ImageNetMean = []float32{0.485, 0.456, 0.406}
	ImageNetStd  = []float32{0.229, 0.224, 0.225}
)

// Normalize maps channel c to (v/255 - Mean[c]) / Std[c]; nil Mean and Std
// mean ImageNetMean and ImageNetStd. The Loader checks that their length
// matches the image channels.
type Normalize struct{ Mean, Std []float32 }

// Apply implements Transform.
func (t Normalize) Apply(v *View, _ *rand.Rand) {
	v.Mean, v.Std = t.Mean, t.Std
	if t.Mean == nil && t.Std == nil {
		v.Mean, v.Std = ImageNetMean, ImageNetStd
	}
}
