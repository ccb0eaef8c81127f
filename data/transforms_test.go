package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRandomResizedCrop(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		v := NewView(500, 375)
		RandomResizedCrop{Size: 224}.Apply(&v, r)
		if v.OutW != 224 || v.OutH != 224 {
			t.Fatalf("output %dx%d", v.OutW, v.OutH)
		}
		if v.X0 < 0 || v.Y0 < 0 || v.X0+v.BoxW > 500 || v.Y0+v.BoxH > 375 {
			t.Fatalf("box %+v leaves the image", v)
		}
		area := v.BoxW * v.BoxH / (500 * 375)
		ratio := v.BoxW / v.BoxH
		// Rounding the box to whole pixels moves area and ratio slightly.
		if area < 0.079 || area > 1 || ratio < 0.74 || ratio > 1.345 {
			t.Fatalf("box %+v: area fraction %v, ratio %v", v, area, ratio)
		}
	}
}

func TestResizeCenterCrop(t *testing.T) {
	v := NewView(500, 375)
	Resize{Shorter: 256}.Apply(&v, nil)
	if v.OutW != 341 || v.OutH != 256 {
		t.Fatalf("resize: %dx%d, want 341x256", v.OutW, v.OutH)
	}
	CenterCrop{W: 224, H: 224}.Apply(&v, nil)
	// torchvision: left = round((341-224)/2) = 58 (round half to even), top = 16.
	s := 500.0 / 341
	if v.OutW != 224 || math.Abs(v.X0-58*s) > 1e-9 || math.Abs(v.Y0-16*375.0/256) > 1e-9 || math.Abs(v.BoxW-224*s) > 1e-9 {
		t.Fatalf("centre crop: %+v", v)
	}
}

func TestRandomCropAndFlipDraws(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	seen := map[[2]int]int{}
	flips := 0
	const n = 4000
	for range n {
		v := NewView(32, 32)
		RandomCrop{Size: 32, Pad: 4}.Apply(&v, r)
		HorizontalFlip{}.Apply(&v, r)
		seen[[2]int{int(v.X0), int(v.Y0)}]++
		if v.Flip {
			flips++
		}
	}
	if len(seen) != 81 {
		t.Errorf("saw %d offsets, want all 81 in [-4, 4]^2", len(seen))
	}
	if math.Abs(float64(flips)/n-0.5) > 0.04 {
		t.Errorf("flipped %d of %d", flips, n)
	}
}

// Cropping after a flip must pick the region the flipped image shows:
// flip-then-crop equals crop-of-the-mirrored-region-then-flip.
func TestCropAfterFlip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m := randImage(r, 10, 12, 3)
	a := NewView(12, 10)
	a.Flip = true
	a.Crop(2, 3, 5, 4)
	b := NewView(12, 10)
	b.Crop(12-2-5, 3, 5, 4)
	b.Flip = true
	ga, gb := run(m, a), run(m, b)
	for i := range ga {
		if ga[i] != gb[i] {
			t.Fatalf("value %d: %v vs %v", i, ga[i], gb[i])
		}
	}
}
