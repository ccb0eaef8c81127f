package data

import (
	"math"
	"testing"
)

// The magnitudes of torchvision's _augmentation_space, written out from
// its linspace and arange expressions.
func TestMagnitudes(t *testing.T) {
	cases := []struct {
		name      string
		space     augSpace
		op        augOp
		bin, bins int
		w, h      int
		want      float64
	}{
		// AutoAugment: 10 bins.
		{"AA ShearX top", standardSpace, opShearX, 9, 10, 224, 224, 0.3},
		{"AA TranslateX top", standardSpace, opTranslateX, 9, 10, 331, 100, 150},
		{"AA TranslateY top", standardSpace, opTranslateY, 9, 10, 100, 662, 300},
		{"AA Rotate bin 8", standardSpace, opRotate, 8, 10, 1, 1, 30.0 * 8 / 9},
		{"AA Color bin 4", standardSpace, opColor, 4, 10, 1, 1, 0.4},
		{"AA Solarize bin 3", standardSpace, opSolarize, 3, 10, 1, 1, 170},
		{"AA Solarize bin 0", standardSpace, opSolarize, 0, 10, 1, 1, 255},
		{"AA Solarize top", standardSpace, opSolarize, 9, 10, 1, 1, 0},
		{"AA Equalize", standardSpace, opEqualize, 5, 10, 1, 1, 0},
		// RandAugment: 31 bins, magnitude 9.
		{"RA ShearY", standardSpace, opShearY, 9, 31, 1, 1, 0.09},
		{"RA TranslateX", standardSpace, opTranslateX, 9, 31, 224, 1, 150.0 / 331 * 224 * 0.3},
		{"RA Rotate", standardSpace, opRotate, 9, 31, 1, 1, 9},
		{"RA Brightness", standardSpace, opBrightness, 9, 31, 1, 1, 0.27},
		{"RA Sharpness", standardSpace, opSharpness, 9, 31, 1, 1, 0.27},
		{"RA Posterize", standardSpace, opPosterize, 9, 31, 1, 1, 7}, // 8 - round(9/7.5)
		{"RA Posterize top", standardSpace, opPosterize, 30, 31, 1, 1, 4},
		{"RA Solarize", standardSpace, opSolarize, 9, 31, 1, 1, 178.5}, // 255 - 255*9/30
		// TrivialAugmentWide: 31 bins, wider ranges.
		{"TA ShearX top", wideSpace, opShearX, 30, 31, 1, 1, 0.99},
		{"TA TranslateY top", wideSpace, opTranslateY, 30, 31, 500, 500, 32},
		{"TA TranslateX bin 15", wideSpace, opTranslateX, 15, 31, 500, 500, 16},
		{"TA Rotate top", wideSpace, opRotate, 30, 31, 1, 1, 135},
		{"TA Contrast top", wideSpace, opContrast, 30, 31, 1, 1, 0.99},
		{"TA Posterize bin 2", wideSpace, opPosterize, 2, 31, 1, 1, 8}, // 8 - round(0.4)
		{"TA Posterize bin 3", wideSpace, opPosterize, 3, 31, 1, 1, 7}, // 8 - round(0.6)
		{"TA Posterize top", wideSpace, opPosterize, 30, 31, 1, 1, 2},
		// AugMix: 10 bins.
		{"AugMix TranslateX top", augMixSpace, opTranslateX, 9, 10, 30, 60, 10},
		{"AugMix TranslateY top", augMixSpace, opTranslateY, 9, 10, 30, 60, 20},
		{"AugMix Posterize bin 1", augMixSpace, opPosterize, 1, 10, 1, 1, 4}, // 4 - round(0.44)
		{"AugMix Posterize bin 2", augMixSpace, opPosterize, 2, 10, 1, 1, 3}, // 4 - round(0.89)
		{"AugMix Posterize top", augMixSpace, opPosterize, 9, 10, 1, 1, 0},
		{"AugMix Rotate bin 2", augMixSpace, opRotate, 2, 10, 1, 1, 30.0 * 2 / 9},
	}
	for _, c := range cases {
		if got := c.space.magnitude(c.op, c.bin, c.bins, c.w, c.h); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// AutoAugment's Posterize bits over its 10 bins.
	want := []float64{8, 8, 7, 7, 6, 6, 5, 5, 4, 4}
	for i, w := range want {
		if got := standardSpace.magnitude(opPosterize, i, 10, 1, 1); got != w {
			t.Errorf("AA Posterize bin %d: %v bits, want %v", i, got, w)
		}
	}
}

// pixelOp applies the sign to signed operations only, adds 1 to the
// enhancement factors and truncates translations toward zero.
func TestPixelOpSigns(t *testing.T) {
	if op := standardSpace.pixelOp(opBrightness, 9, 31, true, 1, 1, Bilinear); op != (brightnessOp{1 - 0.27}) {
		t.Errorf("negative Brightness: %#v", op)
	}
	if op := standardSpace.pixelOp(opSolarize, 9, 31, true, 1, 1, Bilinear); op != (solarizeOp{178.5}) {
		t.Errorf("Solarize with a sign: %#v", op)
	}
	// 150/331*226*9/30 = 30.73 pixels: 30 either way, toward zero.
	if op := standardSpace.pixelOp(opTranslateX, 9, 31, true, 226, 226, Nearest); op != translate(-30, 0, true) {
		t.Errorf("negative TranslateX: %#v", op)
	}
	if op := standardSpace.pixelOp(opTranslateY, 9, 31, false, 226, 226, Bicubic); op != translate(0, 30, false) {
		t.Errorf("TranslateY: %#v", op)
	}
	if op := standardSpace.pixelOp(opIdentity, 9, 31, true, 224, 224, Bilinear); op != nil {
		t.Errorf("Identity: %#v", op)
	}
}
