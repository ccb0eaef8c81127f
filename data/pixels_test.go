package data

import (
	"image"
	"math"
	"slices"
	"strings"
	"testing"
)

// The stage's output: a shift of (0.1, 0, -0.1) of the full range moves
// pixel 0 by (25.5, 0, -25.5) levels before normalisation; the erased
// pixel 1 is exactly zero after it, or in 8 bits the mean: 0.485*255 =
// 123.7 -> 124, 116.3 -> 116, 103.5 -> 104.
func TestPixelStageOutput(t *testing.T) {
	src := img(1, 2, 3, 100, 50, 200, 9, 9, 9)
	v := NewView(2, 1)
	Normalize{}.Apply(&v, nil)
	v.Shift = []float32{0.1, 0, -0.1}
	v.Erase = []image.Rectangle{image.Rect(1, 0, 2, 1), image.Rect(5, 5, 9, 9)} // the second is outside: ignored
	var ps pixelStage
	var rs resampler
	out := make([]float32, 6)
	ps.run(&rs, src, &v, out, nil)
	for c, p := range []float64{125.5, 50, 174.5} {
		want := (p/255 - float64(ImageNetMean[c])) / float64(ImageNetStd[c])
		if !closeTo(float64(out[c]), want, 1e-5) {
			t.Errorf("channel %d = %v, want %v", c, out[c], want)
		}
	}
	if !slices.Equal(out[3:], []float32{0, 0, 0}) {
		t.Errorf("erased pixel = %v, want zeros", out[3:])
	}
	out8 := make([]uint8, 6)
	ps.run(&rs, src, &v, nil, out8)
	// float32(0.1) is a hair above 0.1: 125.5+ -> 126, 174.5- -> 174.
	checkPix(t, "uint8", out8, 126, 50, 174, 124, 116, 104)
}

// Operations run in order on the resampled image: brightness x2 then
// 1-bit posterize gives 128 or 0, the other order 0 or 255.
func TestPixelStageOrder(t *testing.T) {
	src := img(1, 2, 1, 60, 140)
	var ps pixelStage
	var rs resampler
	out8 := make([]uint8, 2)
	v := NewView(2, 1)
	v.Pixels = []PixelOp{brightnessOp{2}, posterizeOp{1}}
	ps.run(&rs, src, &v, nil, out8)
	checkPix(t, "brighten, posterize", out8, 0, 128)
	v.Pixels = []PixelOp{posterizeOp{1}, brightnessOp{2}}
	ps.run(&rs, src, &v, nil, out8)
	checkPix(t, "posterize, brighten", out8, 0, 255)
}

func TestCropAfterPixelTransformPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "after a pixel transform") {
			t.Errorf("panic %v", r)
		}
	}()
	v := NewView(10, 10)
	v.Pixels = []PixelOp{invertOp{}}
	CenterCrop{W: 5, H: 5}.Apply(&v, nil)
}

// augmented is every transform of the pixel stage after the CIFAR crop.
var augmented = []Transform{RandomCrop{Size: 5, Pad: 1}, HorizontalFlip{}, ColorJitter{0.4, 0.4, 0.4, 0.1},
	RandAugment{Magnitude: 9}, AugMix{}, Lighting{AlphaStd: 0.1}, Normalize{}, RandomErasing{P: 0.5}}

// Batches through the pixel stage depend on (seed, epoch, index) only:
// the same with 1 or 3 workers, different in another epoch or with
// another seed, and different from the same crops without the stage.
func TestLoaderPixelStageDeterministic(t *testing.T) {
	ds := synthetic(23, false)
	load := func(seed uint64, workers int, tfm []Transform, e int) [][]float32 {
		l, err := NewLoader(ds, LoaderConfig{BatchSize: 4, Seed: seed, Workers: workers, Transforms: tfm})
		if err != nil {
			t.Fatal(err)
		}
		_, imgs := epoch(t, l, e)
		return imgs
	}
	a := load(1, 1, augmented, 0)
	if b := load(1, 3, augmented, 0); !slices.EqualFunc(a, b, slices.Equal) {
		t.Error("1 and 3 workers give different batches")
	}
	if b := load(1, 3, augmented, 1); slices.EqualFunc(a, b, slices.Equal) {
		t.Error("epochs 0 and 1 give the same batches")
	}
	if b := load(2, 1, augmented, 0); slices.EqualFunc(a, b, slices.Equal) {
		t.Error("seeds 1 and 2 give the same batches")
	}
	if b := load(1, 1, []Transform{augmented[0], augmented[1], Normalize{}}, 0); slices.EqualFunc(a, b, slices.Equal) {
		t.Error("the pixel stage changed nothing")
	}
	for _, batch := range a {
		for _, x := range batch {
			if math.IsNaN(float64(x)) || math.Abs(float64(x)) > 10 {
				t.Fatalf("value %v out of range", x)
			}
		}
	}
}

// The Loader refuses transforms that cannot take the dataset's images
// before the first epoch, naming them.
func TestLoaderRefusesPixelMisfits(t *testing.T) {
	grey := &Memory{H: 4, W: 4, C: 1, Pix: make([]uint8, 16), Labels: []int32{0}, ClassNames: []string{"a"}}
	cases := []struct {
		ds   Dataset
		tfm  Transform
		want string
	}{
		{synthetic(3, true), TrivialAugmentWide{}, "masks"},
		{grey, Lighting{AlphaStd: 0.1}, "RGB"},
		{synthetic(3, false), RandAugment{Magnitude: 31}, "magnitude 31"},
	}
	for _, c := range cases {
		_, err := NewLoader(c.ds, LoaderConfig{BatchSize: 1, Transforms: []Transform{c.tfm}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T: error %v, want one about %q", c.tfm, err, c.want)
		}
	}
}
