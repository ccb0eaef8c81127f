package data

import (
	"fmt"
	"math/rand/v2"
)

// Lighting adds AlexNet's PCA lighting noise (Krizhevsky et al. 2012,
// "ImageNet Classification with Deep Convolutional Neural Networks",
// section 4.1): the principal components of ImageNet's RGB values, each
// scaled by its eigenvalue and a weight drawn from N(0, AlphaStd²), are
// added to every pixel (in units of the full range, before normalisation,
// unclamped). The eigenvalues and eigenvectors are fb.resnet.torch's;
// AlexNet used AlphaStd 0.1. It takes RGB images only. A uint8 batch
// holds the result rounded and clamped to 8 bits. It is a pixel transform:
// put it after the crops and resizes.
type Lighting struct{ AlphaStd float64 }

// ImageNet's RGB principal components, as fb.resnet.torch's
// (datasets/imagenet.lua): eigenvalues, and eigenvectors as columns.
var (
	pcaEigval = [3]float64{0.2175, 0.0188, 0.0045}
	pcaEigvec = [3][3]float64{
		{-0.5675, 0.7192, 0.4009},
		{-0.5808, -0.0045, -0.8140},
		{-0.5836, -0.6948, 0.4203},
	}
)

// Apply implements Transform.
func (t Lighting) Apply(v *View, r *rand.Rand) {
	var alpha [3]float64
	for j := range alpha {
		alpha[j] = r.NormFloat64() * t.AlphaStd
	}
	if v.Shift == nil {
		v.Shift = make([]float32, 3)
	}
	for i, row := range pcaEigvec {
		var s float64
		for j, e := range row {
			s += e * alpha[j] * pcaEigval[j]
		}
		v.Shift[i] += float32(s)
	}
}

func (t Lighting) check(channels int, _ bool) error {
	switch {
	case !(t.AlphaStd >= 0):
		return fmt.Errorf("data: Lighting alpha std %v is negative", t.AlphaStd)
	case channels != 3:
		return fmt.Errorf("data: Lighting's PCA noise takes RGB images, not %d-channel ones", channels)
	}
	return nil
}
