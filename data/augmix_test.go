package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Half the original plus half its inverse is mid-grey, 127.5 -> 127; a
// chain of two operations runs in order (Posterize to 1 bit, then invert:
// 0, 100 -> 255, 200 -> 127).
func TestAugMixMixes(t *testing.T) {
	m := img(1, 3, 1, 0, 100, 200)
	half := augMixOp{keep: 0.5, chains: []augMixChain{{weight: 0.5, ops: []PixelOp{invertOp{}}}}}
	checkPix(t, "half inverse", applied(half, m), 127, 127, 127)
	chain := augMixOp{keep: 0, chains: []augMixChain{
		{weight: 0.75, ops: []PixelOp{posterizeOp{1}, invertOp{}}},
		{weight: 0.25, ops: nil},
	}}
	// 0.75*(255, 255, 127) + 0.25*(0, 100, 200) = 191.25, 216.25, 145.25.
	checkPix(t, "two chains", applied(chain, m), 191, 216, 145)
}

// Severity 3 takes the lowest 3 of 10 bins: rotations of 0, 10/3 and 20/3
// degrees, Posterize to 4 or 3 bits, translations of 0, 1 and 2 pixels
// on a 30-pixel side (bins of 10/9). Chains are 1 to 3 deep, and the
// weights sum to one.
func TestAugMixDraws(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 0))
	seen := map[string]int{}
	depths := map[int]int{}
	for range 5000 {
		v := NewView(30, 30)
		AugMix{}.Apply(&v, r)
		if len(v.Pixels) != 1 {
			t.Fatalf("AugMix planned %d operations, want 1", len(v.Pixels))
		}
		op := v.Pixels[0].(augMixOp)
		sum := float64(op.keep)
		if len(op.chains) != 3 {
			t.Fatalf("%d chains, want 3", len(op.chains))
		}
		for _, ch := range op.chains {
			sum += float64(ch.weight)
			depths[len(ch.ops)]++
			for _, o := range ch.ops {
				seen[describe(o)]++
			}
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Fatalf("weights sum to %v", sum)
		}
	}
	if len(depths) != 3 || depths[1] == 0 || depths[2] == 0 || depths[3] == 0 {
		t.Errorf("chain depths %v, want 1, 2 and 3", depths)
	}
	for _, k := range []string{"Rotate(3.3333)", "Rotate(-6.6667)", "Posterize(4)", "Posterize(3)",
		"Translate(2,0)", "Translate(0,-1)", "Brightness(1.2000)", "Sharpness(0.8000)", "Solarize(198.3333)"} {
		if seen[k] == 0 {
			t.Errorf("never drew %s", k)
		}
	}
	for _, k := range []string{"Posterize(2)", "Rotate(10.0000)", "Translate(3,0)", "Brightness(1.3000)", "Solarize(170.0000)"} {
		if seen[k] > 0 {
			t.Errorf("drew %s, beyond severity 3", k)
		}
	}
	deep := plan(AugMix{Depth: 2, Width: 5}, 30, 30, 1, 1).Pixels[0].(augMixOp)
	if len(deep.chains) != 5 || len(deep.chains[0].ops) != 2 {
		t.Errorf("Width 5, Depth 2 drew %d chains of %d", len(deep.chains), len(deep.chains[0].ops))
	}
}

// Gamma(alpha) has mean and variance alpha.
func TestGamma(t *testing.T) {
	for _, alpha := range []float64{0.3, 1, 4} {
		r := rand.New(rand.NewPCG(uint64(alpha*10), 1))
		const n = 100000
		var s, s2 float64
		for range n {
			x := gamma(r, alpha)
			s += x
			s2 += x * x
		}
		mean := s / n
		variance := s2/n - mean*mean
		if math.Abs(mean-alpha) > 0.02*alpha+0.01 || math.Abs(variance-alpha) > 0.05*alpha+0.01 {
			t.Errorf("Gamma(%v): mean %v, variance %v", alpha, mean, variance)
		}
	}
}

func TestAugMixChecks(t *testing.T) {
	for _, bad := range []AugMix{{Severity: 11}, {Severity: -1}, {Width: -1}, {Alpha: -1}, {Alpha: math.NaN()}} {
		if err := bad.check(3, false); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if err := (AugMix{}).check(3, true); err == nil {
		t.Error("AugMix accepted data with masks")
	}
	if err := (AugMix{Severity: 10}).check(1, false); err != nil {
		t.Error(fmt.Errorf("severity 10 on grey images: %w", err))
	}
}
