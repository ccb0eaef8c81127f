package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// describe names a drawn operation and its magnitude in torchvision's
// terms, to compare draws with the policies' tables.
func describe(op PixelOp) string {
	switch o := op.(type) {
	case affineOp:
		switch m := o.m; {
		case m[1] == 0 && m[3] == 0 && m[0] == 1 && m[4] == 1:
			return fmt.Sprintf("Translate(%g,%g)", -m[2], -m[5])
		case m[0] == 1 && m[4] == 1 && m[3] == 0:
			return fmt.Sprintf("ShearX(%.4f)", m[1])
		case m[0] == 1 && m[4] == 1 && m[1] == 0:
			return fmt.Sprintf("ShearY(%.4f)", m[3])
		default:
			return fmt.Sprintf("Rotate(%.4f)", math.Atan2(m[3], m[0])*180/math.Pi)
		}
	case brightnessOp:
		return fmt.Sprintf("Brightness(%.4f)", o.factor)
	case saturationOp:
		return fmt.Sprintf("Color(%.4f)", o.factor)
	case contrastOp:
		return fmt.Sprintf("Contrast(%.4f)", o.factor)
	case sharpnessOp:
		return fmt.Sprintf("Sharpness(%.4f)", o.factor)
	case posterizeOp:
		return fmt.Sprintf("Posterize(%d)", o.bits)
	case solarizeOp:
		return fmt.Sprintf("Solarize(%.4f)", o.threshold)
	case autoContrastOp:
		return "AutoContrast"
	case equalizeOp:
		return "Equalize"
	case invertOp:
		return "Invert"
	}
	return fmt.Sprintf("%T", op)
}

// drawn applies t to a w x h view n times and counts the operations it
// plans, by description.
func drawn(t Transform, w, h, n int, seed uint64) map[string]int {
	r := rand.New(rand.NewPCG(seed, 0))
	seen := map[string]int{}
	for range n {
		v := NewView(w, h)
		t.Apply(&v, r)
		for _, op := range v.Pixels {
			seen[describe(op)]++
		}
	}
	return seen
}

// sameKeys fails unless the descriptions seen are exactly want.
func sameKeys(t *testing.T, name string, seen map[string]int, want []string) {
	t.Helper()
	var got []string
	for k := range seen {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s draws\n%v\nwant\n%v", name, got, want)
	}
}

// plan returns the pixel plan t draws for a w x h view from (seed, stream).
func plan(t Transform, w, h int, seed, stream uint64) View {
	v := NewView(w, h)
	t.Apply(&v, rand.New(rand.NewPCG(seed, stream)))
	return v
}

// The same generator state draws the same plan; any other draws another
// (checked over 20 streams, which all differing from the first would make
// a transform that ignores its generator fail).
func checkDeterministic(t *testing.T, name string, tr Transform) {
	t.Helper()
	a, b := plan(tr, 40, 30, 7, 3), plan(tr, 40, 30, 7, 3)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%s: the same seed drew %+v and %+v", name, a, b)
	}
	differ := 0
	for s := range uint64(20) {
		if !reflect.DeepEqual(a, plan(tr, 40, 30, 7, 100+s)) {
			differ++
		}
	}
	if differ < 10 {
		t.Errorf("%s: only %d of 20 other streams drew another plan", name, differ)
	}
}

func TestPoliciesDeterministic(t *testing.T) {
	for name, tr := range map[string]Transform{
		"AutoAugment": AutoAugment{}, "RandAugment": RandAugment{Magnitude: 9}, "TrivialAugmentWide": TrivialAugmentWide{},
		"AugMix": AugMix{}, "ColorJitter": ColorJitter{0.4, 0.4, 0.4, 0.1},
		"Lighting": Lighting{AlphaStd: 0.1}, "RandomErasing": RandomErasing{P: 1},
	} {
		checkDeterministic(t, name, tr)
	}
}

// Every operation and magnitude of AutoAugment's ImageNet policy, signed
// both ways where signed, and nothing else: Posterize bins 8, 7, 6, 5 are
// 4, 5, 5, 6 bits; Solarize bins 3, 4, 5, 7, 8 are 255*(1 - bin/9); Rotate
// bins 3, 8, 9 are 10, 26.67 and 30 degrees; Color bins 0, 2, 4, 8 and
// Contrast bin 8 are factors 1 ± bin/10; Sharpness bin 7 is 1 ± 0.7;
// ShearX bin 5 is 0.3*5/9.
func TestAutoAugmentDraws(t *testing.T) {
	want := []string{"Posterize(4)", "Posterize(5)", "Posterize(6)",
		"Solarize(170.0000)", "Solarize(141.6667)", "Solarize(113.3333)", "Solarize(56.6667)", "Solarize(28.3333)",
		"Equalize", "AutoContrast", "Invert", "Color(1.0000)"}
	for _, s := range []float64{1, -1} {
		for _, deg := range []float64{10, 80.0 / 3, 30} {
			want = append(want, fmt.Sprintf("Rotate(%.4f)", s*deg))
		}
		for _, f := range []float64{0.2, 0.4, 0.8} {
			want = append(want, fmt.Sprintf("Color(%.4f)", 1+s*f))
		}
		want = append(want, fmt.Sprintf("Contrast(%.4f)", 1+s*0.8), fmt.Sprintf("Sharpness(%.4f)", 1+s*0.7),
			fmt.Sprintf("ShearX(%.4f)", s*0.3*5/9))
	}
	const n = 20000
	seen := drawn(AutoAugment{}, 32, 32, n, 1)
	sameKeys(t, "AutoAugment", seen, want)
	// Invert is in 3 of the 25 sub-policies, each time with probability
	// 0.6: 0.072 per image. Equalize's probabilities over the table add up
	// to 11.2: 0.448 per image.
	for op, want := range map[string]float64{"Invert": 0.072, "Equalize": 0.448} {
		if got := float64(seen[op]) / n; math.Abs(got-want) > 0.015 {
			t.Errorf("%s %.3f times per image, want %.3f", op, got, want)
		}
	}
}

// RandAugment at magnitude 9 of 31: two draws from 14 operations, so
// Identity (which plans nothing) leaves a plan empty 1 time in 196.
func TestRandAugmentDraws(t *testing.T) {
	want := []string{"Posterize(7)", "Solarize(178.5000)", "AutoContrast", "Equalize"}
	for _, s := range []float64{1, -1} {
		want = append(want, fmt.Sprintf("ShearX(%.4f)", s*0.09), fmt.Sprintf("ShearY(%.4f)", s*0.09),
			fmt.Sprintf("Translate(%g,0)", s*30), fmt.Sprintf("Translate(0,%g)", s*15), // 150/331*(224, 112)*0.3
			fmt.Sprintf("Rotate(%.4f)", s*9))
		for _, op := range []string{"Brightness", "Color", "Contrast", "Sharpness"} {
			want = append(want, fmt.Sprintf("%s(%.4f)", op, 1+s*0.27))
		}
	}
	sameKeys(t, "RandAugment", drawn(RandAugment{Magnitude: 9}, 224, 112, 20000, 2), want)
	r := rand.New(rand.NewPCG(3, 0))
	counts := map[int]int{}
	const n = 40000
	for range n {
		v := NewView(8, 8)
		RandAugment{Magnitude: 9}.Apply(&v, r)
		counts[len(v.Pixels)]++
	}
	if math.Abs(float64(counts[0])/n-1.0/196) > 0.002 || counts[0]+counts[1]+counts[2] != n {
		t.Errorf("plans by length: %v; want 1/196 of %d empty, none longer than 2", counts, n)
	}
}

// TrivialAugmentWide draws one operation and a bin from 31: Rotate takes
// every multiple of 4.5 degrees up to 135 (0 reads as a translation by 0),
// Posterize 2 to 8 bits.
func TestTrivialAugmentWideDraws(t *testing.T) {
	seen := drawn(TrivialAugmentWide{}, 64, 64, 40000, 4)
	for i := 1; i < 31; i++ {
		for _, s := range []float64{1, -1} {
			if k := fmt.Sprintf("Rotate(%.4f)", s*4.5*float64(i)); seen[k] == 0 {
				t.Errorf("never drew %s", k)
			}
		}
	}
	for bits := 2; bits <= 8; bits++ {
		if seen[fmt.Sprintf("Posterize(%d)", bits)] == 0 {
			t.Errorf("never drew Posterize(%d)", bits)
		}
	}
	total := 0
	for _, n := range seen {
		total += n
	}
	if seen["Posterize(1)"]+seen["Posterize(0)"] > 0 || total > 40000 {
		t.Errorf("drew %d operations in 40000 plans, Posterize with under 2 bits %d times",
			total, seen["Posterize(1)"]+seen["Posterize(0)"])
	}
}
