package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Each factor falls in its range and comes near both its ends, every one
// of the 24 orders occurs, and a zero parameter plans nothing for its
// property.
func TestColorJitterDraws(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 0))
	orders := map[string]bool{}
	type span struct{ lo, hi, min, max float64 }
	spans := map[string]*span{
		"data.brightnessOp": {0.6, 1.4, math.Inf(1), math.Inf(-1)},
		"data.contrastOp":   {0, 2.5, math.Inf(1), math.Inf(-1)},
		"data.saturationOp": {0.8, 1.2, math.Inf(1), math.Inf(-1)},
		"data.hueOp":        {-0.1, 0.1, math.Inf(1), math.Inf(-1)},
	}
	for range 5000 {
		v := NewView(4, 4)
		ColorJitter{Brightness: 0.4, Contrast: 1.5, Saturation: 0.2, Hue: 0.1}.Apply(&v, r)
		if len(v.Pixels) != 4 {
			t.Fatalf("planned %d operations, want 4", len(v.Pixels))
		}
		order := ""
		for _, op := range v.Pixels {
			var f float64
			switch o := op.(type) {
			case brightnessOp:
				f = o.factor
			case contrastOp:
				f = o.factor
			case saturationOp:
				f = o.factor
			case hueOp:
				f = o.shift
			}
			name := fmt.Sprintf("%T", op)
			s := spans[name]
			s.min, s.max = min(s.min, f), max(s.max, f)
			order += name + " "
		}
		orders[order] = true
	}
	for name, s := range spans {
		if s.min < s.lo || s.max > s.hi || s.min > s.lo+0.01*(s.hi-s.lo) || s.max < s.hi-0.01*(s.hi-s.lo) {
			t.Errorf("%s drew [%v, %v], want about [%v, %v]", name, s.min, s.max, s.lo, s.hi)
		}
	}
	if len(orders) != 24 {
		t.Errorf("%d orders, want 24", len(orders))
	}
	v := NewView(4, 4)
	ColorJitter{Saturation: 0.5}.Apply(&v, r)
	if len(v.Pixels) != 1 {
		t.Errorf("saturation alone planned %v", v.Pixels)
	}
}

func TestColorJitterChecks(t *testing.T) {
	for _, bad := range []ColorJitter{{Brightness: -0.1}, {Hue: 0.6}, {Hue: -0.1}} {
		if err := bad.check(3, false); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if err := (ColorJitter{Brightness: 0.4}).check(4, false); err == nil {
		t.Error("4-channel images accepted")
	}
	if err := (ColorJitter{Brightness: 0.4}).check(1, true); err != nil {
		t.Errorf("grey images with masks: %v", err)
	}
}
