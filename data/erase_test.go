package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Erased boxes lie inside the image, cover 2% to 33% of it (give or take
// the rounding of their sides) with a height/width ratio within [0.3,
// 3.3] (likewise), and occur with probability P.
func TestRandomErasingDraws(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 0))
	const W, H, n = 60, 40, 4000
	erased := 0
	for range n {
		v := NewView(W, H)
		RandomErasing{P: 0.25}.Apply(&v, r)
		if len(v.Erase) == 0 {
			continue
		}
		erased++
		b := v.Erase[0]
		if b.Min.X < 0 || b.Min.Y < 0 || b.Max.X > W || b.Max.Y > H || b.Dx() >= W || b.Dy() >= H {
			t.Fatalf("box %v outside a %dx%d image", b, W, H)
		}
		area := float64(b.Dx()*b.Dy()) / (W * H)
		ratio := float64(b.Dy()) / float64(b.Dx())
		if area < 0.01 || area > 0.36 || ratio < 0.2 || ratio > 4.5 {
			t.Fatalf("box %v: area %v, ratio %v", b, area, ratio)
		}
	}
	if math.Abs(float64(erased)/n-0.25) > 0.03 {
		t.Errorf("erased %d of %d, want a quarter", erased, n)
	}
	// A 1x1 image has room for empty boxes only.
	for range 100 {
		v := NewView(1, 1)
		RandomErasing{P: 1}.Apply(&v, r)
		for _, b := range v.Erase {
			if !b.Empty() {
				t.Fatalf("erased %v of a 1x1 image", b)
			}
		}
	}
}

func TestRandomErasingChecks(t *testing.T) {
	for _, bad := range []RandomErasing{{P: 1.5}, {P: -0.1}, {Scale: [2]float64{0.5, 0.1}}, {Ratio: [2]float64{-1, 2}}} {
		if err := bad.check(3, false); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
