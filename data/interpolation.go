package data

import (
	"fmt"
	"math"
)

// Interpolation is how an image is resampled when it is resized, as
// torchvision's InterpolationMode. The zero value is Bilinear.
type Interpolation int

const (
	// Bilinear is a triangle filter, widened to the scale factor when
	// shrinking (PIL's antialiased bilinear resize).
	Bilinear Interpolation = iota
	// Bicubic is Keys' cubic convolution with a = -0.5, widened the same
	// way (PIL's antialiased bicubic resize); results are clamped to
	// [0, 255], as PIL's 8-bit output is.
	Bicubic
	// Nearest takes the source pixel under each output pixel's centre,
	// without antialiasing (PIL's NEAREST).
	Nearest
)

var interpolationNames = []string{Bilinear: "bilinear", Bicubic: "bicubic", Nearest: "nearest"}

// String returns torchvision's name of the mode.
func (i Interpolation) String() string {
	if i < 0 || int(i) >= len(interpolationNames) {
		return fmt.Sprintf("Interpolation(%d)", int(i))
	}
	return interpolationNames[i]
}

// ParseInterpolation reads a mode by its torchvision name: bilinear,
// bicubic or nearest.
func ParseInterpolation(name string) (Interpolation, error) {
	for i, n := range interpolationNames {
		if n == name {
			return Interpolation(i), nil
		}
	}
	return 0, fmt.Errorf("interpolation %q: want bilinear, bicubic or nearest", name)
}

// filter returns the kernel of Bilinear (also Nearest's, which axis.build
// replaces by one tap) or Bicubic, and its radius in source pixels at
// scale 1.
func (i Interpolation) filter() (kernel func(x float64) float64, radius float64) {
	if i == Bicubic {
		return cubic, 2
	}
	return triangle, 1
}

// triangle is the bilinear kernel.
func triangle(x float64) float64 { return max(0, 1-math.Abs(x)) }

// cubic is Keys' cubic convolution kernel with a = -0.5, as PIL's.
func cubic(x float64) float64 {
	const a = -0.5
	x = math.Abs(x)
	switch {
	case x < 1:
		return ((a+2)*x-(a+3))*x*x + 1
	case x < 2:
		return (((x-5)*x+8)*x - 4) * a
	}
	return 0
}
