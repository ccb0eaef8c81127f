package data

import (
	"slices"
	"testing"
)

func TestPosterize(t *testing.T) {
	m := img(1, 6, 1, 0, 63, 64, 127, 128, 255)
	checkPix(t, "2 bits", applied(posterizeOp{2}, m), 0, 0, 64, 64, 128, 192)
	checkPix(t, "0 bits", applied(posterizeOp{0}, m), 0, 0, 0, 0, 0, 0)
	checkPix(t, "8 bits", applied(posterizeOp{8}, m), 0, 63, 64, 127, 128, 255)
}

func TestSolarize(t *testing.T) {
	m := img(1, 4, 1, 0, 127, 128, 255)
	checkPix(t, "128", applied(solarizeOp{128}, m), 0, 127, 127, 0)
	checkPix(t, "127.5", applied(solarizeOp{127.5}, m), 0, 127, 127, 0)
	checkPix(t, "255", applied(solarizeOp{255}, m), 0, 127, 128, 0)
	checkPix(t, "0", applied(solarizeOp{0}, m), 255, 128, 127, 0)
}

func TestInvert(t *testing.T) {
	checkPix(t, "invert", applied(invertOp{}, img(1, 3, 1, 0, 100, 255)), 255, 155, 0)
}

// Channel 0 spans 50..150: (v - 50) * 2.55 gives 0, 127 (127.4999...,
// truncated) and 255; channel 1 is flat and stays; channel 2 spans 0..255
// already.
func TestAutoContrast(t *testing.T) {
	m := img(1, 3, 3, 50, 7, 0, 100, 7, 128, 150, 7, 255)
	checkPix(t, "autocontrast", applied(autoContrastOp{}, m), 0, 7, 0, 127, 7, 128, 255, 7, 255)
}

// 1,300 pixels: 650 of level 10, 400 of 20, 250 of 30. The step is
// (1300 - 250)/255 = 4, so level 10 maps to (0 + 2)/4 = 0, 20 to
// (650 + 2)/4 = 163 and 30 to (1050 + 2)/4 = 263, clamped to 255.
func TestEqualize(t *testing.T) {
	pix := slices.Concat(slices.Repeat([]uint8{10}, 650), slices.Repeat([]uint8{20}, 400), slices.Repeat([]uint8{30}, 250))
	got := applied(equalizeOp{}, img(26, 50, 1, pix...))
	for i, want := range map[int]uint8{0: 0, 649: 0, 650: 163, 1049: 163, 1050: 255, 1299: 255} {
		if got[i] != want {
			t.Errorf("pixel %d (level %d) = %d, want %d", i, pix[i], got[i], want)
		}
	}
	// Too few pixels for a step of 1: left alone.
	checkPix(t, "2x2", applied(equalizeOp{}, img(2, 2, 1, 1, 2, 3, 4)), 1, 2, 3, 4)
}
