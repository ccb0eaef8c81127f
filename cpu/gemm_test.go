package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemm checks Gemm against a float64 product for every transpose,
// several betas, sizes that are not multiples of the micro-kernel's tile,
// blocks deeper and wider than one cache block, and a transposed a with
// rows l1SetPeriod or more apart under more than two column strips (the
// micro-kernel then reads it packed).
func TestGemm(t *testing.T) { testGemm(t) }

func testGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := [][3]int{{1, 1, 1}, {7, 17, 3}, {13, 33, 300}, {130, 20, 9}, {5, 1030, 2}, {1030, 40, 20}, {0, 3, 4}, {3, 4, 0}}
	for _, s := range sizes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, beta := range []float32{0, 1, -0.5} {
				t.Run(fmt.Sprintf("%v/%v/beta=%g", s, tr, beta), func(t *testing.T) {
					checkGemm(t, rng, s[0], s[1], s[2], tr[0], tr[1], 1.5, beta)
				})
			}
		}
	}
}

func checkGemm(t *testing.T, rng *rand.Rand, m, n, k int, transA, transB bool, alpha, beta float32) {
	rnd := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	a, b, c := rnd(m*k), rnd(k*n), rnd(m*n)
	if beta == 0 {
		for i := range c {
			c[i] = float32(math.NaN()) // must not be read
		}
	}
	opA := func(i, l int) float64 {
		if transA {
			return float64(a[l*m+i])
		}
		return float64(a[i*k+l])
	}
	opB := func(l, j int) float64 {
		if transB {
			return float64(b[j*k+l])
		}
		return float64(b[l*n+j])
	}
	want := make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s float64
			for l := range k {
				s += opA(i, l) * opB(l, j)
			}
			want[i*n+j] = float64(alpha) * s
			if beta != 0 {
				want[i*n+j] += float64(beta) * float64(c[i*n+j])
			}
		}
	}
	New(3).Gemm(transA, transB, m, n, k, alpha, f32(a), f32(b), beta, f32(c))
	for i, w := range want {
		if d := math.Abs(float64(c[i]) - w); !(d <= 1e-4+1e-4*math.Abs(w)) {
			t.Fatalf("element %d = %g, want %g", i, c[i], w)
		}
	}
}
