package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The shift of channel c is sum_j eigvec[c][j] * alpha_j * eigval[j] with
// alpha_j ~ N(0, 0.1²): zero mean and standard deviation 0.1 * sqrt(sum_j
// (eigvec[c][j]*eigval[j])²): for red 0.1*sqrt(0.12343² + 0.01352² +
// 0.00180²) = 0.012418, green 0.1*sqrt(0.12632² + 0.00008² + 0.00366²) =
// 0.012638, blue 0.1*sqrt(0.12693² + 0.01306² + 0.00189²) = 0.012762.
func TestLightingDraws(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 0))
	const n = 50000
	var s, s2 [3]float64
	for range n {
		v := NewView(2, 2)
		Lighting{AlphaStd: 0.1}.Apply(&v, r)
		for c, x := range v.Shift {
			s[c] += float64(x)
			s2[c] += float64(x) * float64(x)
		}
	}
	for c, want := range []float64{0.012418, 0.012638, 0.012762} {
		mean := s[c] / n
		std := math.Sqrt(s2[c]/n - mean*mean)
		if math.Abs(mean) > 3*want/math.Sqrt(n) || math.Abs(std-want) > 0.02*want {
			t.Errorf("channel %d: mean %v, std %v, want 0 and %v", c, mean, std, want)
		}
	}
	if err := (Lighting{AlphaStd: 0.1}).check(1, false); err == nil {
		t.Error("Lighting accepted grey images")
	}
}
