package data

import (
	"slices"
	"testing"
)

// img returns an h x w image with c channels and the given values.
func img(h, w, c int, pix ...uint8) *Image {
	if len(pix) != h*w*c {
		panic("img: wrong number of values")
	}
	return &Image{H: h, W: w, C: c, Pix: pix}
}

// applied returns a copy of m after op.
func applied(op PixelOp, m *Image) []uint8 {
	out := &Image{H: m.H, W: m.W, C: m.C, Pix: slices.Clone(m.Pix)}
	op.apply(out, &scratch{})
	return out.Pix
}

func checkPix(t *testing.T, name string, got []uint8, want ...uint8) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: %v, want %v", name, got, want)
	}
}

// torchvision's luma: 0.2989*100 + 0.587*50 + 0.114*200 = 82.04 -> 82, and
// white comes out 254 (0.2989 + 0.587 + 0.114 = 0.9999).
func TestGray(t *testing.T) {
	if g := gray(100, 50, 200); g != 82 {
		t.Errorf("gray(100, 50, 200) = %d, want 82", g)
	}
	if g := gray(255, 255, 255); g != 254 {
		t.Errorf("gray of white = %d, want 254", g)
	}
}

func TestBrightness(t *testing.T) {
	m := img(1, 5, 1, 0, 10, 11, 100, 200)
	checkPix(t, "x1.5", applied(brightnessOp{1.5}, m), 0, 15, 16, 150, 255) // 16.5 truncates, 300 clamps
	checkPix(t, "x0.5", applied(brightnessOp{0.5}, m), 0, 5, 5, 50, 100)
}

func TestSaturation(t *testing.T) {
	m := img(1, 1, 3, 100, 50, 200) // grey 82
	checkPix(t, "0", applied(saturationOp{0}, m), 82, 82, 82)
	// 2*v - 82: 118, 18, 318 -> 255.
	checkPix(t, "2", applied(saturationOp{2}, m), 118, 18, 255)
	checkPix(t, "one channel", applied(saturationOp{0}, img(1, 2, 1, 7, 9)), 7, 9)
}

func TestContrast(t *testing.T) {
	// Grey levels 82 and 0: mean 41. Factor 0.5: v/2 + 20.5, truncated.
	m := img(1, 2, 3, 100, 50, 200, 0, 0, 0)
	checkPix(t, "RGB 0.5", applied(contrastOp{0.5}, m), 70, 45, 120, 20, 20, 20)
	// One channel: the mean of the values, 20; factor 2: 2v - 20.
	checkPix(t, "grey 2", applied(contrastOp{2}, img(1, 2, 1, 10, 30)), 0, 40)
}

// The centre of [10 20 30; 40 91 60; 70 80 100] smooths to
// round((501 + 4*91)/13) = round(66.54) = 67; borders stay.
func TestSharpness(t *testing.T) {
	m := img(3, 3, 1, 10, 20, 30, 40, 91, 60, 70, 80, 100)
	checkPix(t, "0", applied(sharpnessOp{0}, m), 10, 20, 30, 40, 67, 60, 70, 80, 100)
	checkPix(t, "2", applied(sharpnessOp{2}, m), 10, 20, 30, 40, 115, 60, 70, 80, 100) // 182 - 67
	small := img(2, 2, 1, 0, 255, 255, 0)
	checkPix(t, "2x2", applied(sharpnessOp{0}, small), 0, 255, 255, 0)
}

// Half a turn takes (200, 100, 50), hue 1/18, to hue 10/18 with the same
// saturation 0.75 and value 200: (50, 150, 200). A third of a turn takes
// red to green; grey has no hue to turn.
func TestHue(t *testing.T) {
	checkPix(t, "half turn", applied(hueOp{0.5}, img(1, 1, 3, 200, 100, 50)), 50, 150, 200)
	checkPix(t, "red +1/3", applied(hueOp{1.0 / 3}, img(1, 1, 3, 255, 0, 0)), 0, 255, 0)
	checkPix(t, "red -1/3", applied(hueOp{-1.0 / 3}, img(1, 1, 3, 255, 0, 0)), 0, 0, 255)
	checkPix(t, "grey", applied(hueOp{0.3}, img(1, 1, 3, 128, 128, 128)), 128, 128, 128)
	checkPix(t, "zero", applied(hueOp{0}, img(1, 1, 3, 200, 100, 50)), 200, 100, 50)
	checkPix(t, "one channel", applied(hueOp{0.3}, img(1, 1, 1, 77)), 77)
}
