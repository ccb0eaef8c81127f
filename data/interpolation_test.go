package data

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// row returns a 1-pixel-high grey image.
func row(pix ...uint8) *Image { return &Image{H: 1, W: len(pix), C: 1, Pix: pix} }

// resize8 resamples m to w x 1 with mode, to 8 bits.
func resize8(m *Image, w int, mode Interpolation) []uint8 {
	v := NewView(m.W, m.H)
	v.Resize(w, 1)
	v.Interpolation = mode
	out := make([]uint8, w*m.C)
	var rs resampler
	rs.image(m, &v, nil, out)
	return out
}

func TestResampleNearest(t *testing.T) {
	// Shrinking by 2 takes the pixel under each output centre (source
	// x = 1, 3), with no averaging; enlarging by 2 repeats pixels.
	if got := resize8(row(10, 20, 30, 40), 2, Nearest); !slices.Equal(got, []uint8{20, 40}) {
		t.Errorf("4 -> 2 nearest: %v, want [20 40]", got)
	}
	if got := resize8(row(10, 20), 4, Nearest); !slices.Equal(got, []uint8{10, 10, 20, 20}) {
		t.Errorf("2 -> 4 nearest: %v, want [10 10 20 20]", got)
	}
}

// Enlarging [0 0 255 255] to 8 pixels puts output centres at source
// x = 0.25, 0.75, ..., 3.75; output 3 (x = 1.75) weighs source pixels at
// distances 1.25, 0.25, 0.75, 1.75 by Keys' cubic (a = -0.5): -0.0703125,
// 0.8671875, 0.2265625, -0.0234375, so it is 255 * (0.2265625 - 0.0234375)
// = 51.796875. Output 4 is 255 * 0.796875 = 203.203125. Output 5 (x =
// 2.75) overshoots: its taps inside the image, -0.0703125 on 0 and
// 0.8671875 + 0.2265625 on 255, normalised by their sum 1.0234375, give
// 272.5, clamped to 255.
func TestResampleBicubic(t *testing.T) {
	m := row(0, 0, 255, 255)
	got := resize8(m, 8, Bicubic)
	if got[3] != 52 || got[4] != 203 || got[5] != 255 {
		t.Errorf("bicubic 4 -> 8: %v, want 52, 203, 255 at 3, 4, 5", got)
	}
	v := NewView(4, 1)
	Resize{Shorter: 1, Interpolation: Bicubic}.Apply(&v, nil)
	v.Resize(8, 1)
	f := run(m, v)
	for i, want := range map[int]float32{3: 51.796875, 4: 203.203125, 5: 255} {
		if !closeTo(float64(f[i]), float64(want), 1e-3) {
			t.Errorf("bicubic float output %d = %v, want %v", i, f[i], want)
		}
	}
	if bilinear := resize8(m, 8, Bilinear); bilinear[3] != 64 {
		t.Errorf("bilinear output 3 = %d, want 64 (a quarter of 255)", bilinear[3])
	}
}

func TestInterpolationNames(t *testing.T) {
	for _, mode := range []Interpolation{Bilinear, Bicubic, Nearest} {
		got, err := ParseInterpolation(mode.String())
		if err != nil || got != mode {
			t.Errorf("ParseInterpolation(%q) = %v, %v", mode.String(), got, err)
		}
	}
	if _, err := ParseInterpolation("lanczos"); err == nil {
		t.Error("lanczos accepted")
	}
}

func TestResizeTransformsSetInterpolation(t *testing.T) {
	v := NewView(50, 40)
	RandomResizedCrop{Size: 10, Interpolation: Nearest}.Apply(&v, rand.New(rand.NewPCG(1, 1)))
	if v.Interpolation != Nearest {
		t.Errorf("RandomResizedCrop left interpolation %v", v.Interpolation)
	}
}
