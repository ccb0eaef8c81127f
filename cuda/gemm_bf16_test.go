//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/kernels"
)

// warpGemms are the one-warp tensor-core products that check mma.cuh:
// kernels.GemmBF16 and kernels.GemmTF32.
var warpGemms = map[autograd.Precision]*kernels.Kernel{autograd.BF16: kernels.GemmBF16, autograd.TF32: kernels.GemmTF32}

// gemmWarp returns a*b from p's warpGemms kernel (tensor cores, p with
// fp32 accumulation) for row-major (m, k) a and (k, n) b, m, n and k
// multiples of 16, 8 and 16, its output poisoned first.
func gemmWarp(t *testing.T, p autograd.Precision, m, n, k int, a, b []float32) []float32 {
	t.Helper()
	op := "Gemm" + p.String()
	ga, gb, gc := upload(t, gpu, a), upload(t, gpu, b), poisoned(m*n)
	defer func() {
		for _, buf := range []autograd.Buffer{ga, gb, gc} {
			gpu.Free(buf)
		}
	}()
	func() {
		defer gpu.enter()()
		gpu.launch(op, warpGemms[p], dim3{n / 8, m / 16, 1}, dim3{32, 1, 1}, 0,
			gpu.dev(op, ga, autograd.Float32), gpu.dev(op, gb, autograd.Float32), gpu.dev(op, gc, autograd.Float32), n, k)
	}()
	return download(gpu, gc)
}

// TestGemmBF16Layout checks mma.cuh's fragment layouts (ldmatrix_x4's and
// mma_bf16_m16n8k16's) and its rounding exactly, through products that
// move values instead of summing them: the identity times B is B rounded
// to bf16, bit for bit (autograd.BF16.Round), so every element of B must
// reach its place; A times a 0/1 matrix that picks columns j (or j+8) of
// A is those columns rounded. Every element of each operand differs, so a
// fragment element of either operand read from the wrong row or column
// moves a value elsewhere. (Swapping the halves of every register of both
// operands alike only reorders the sum over k: a GPU gives the same
// product, and so does this test.)
func TestGemmBF16Layout(t *testing.T) { testWarpLayout(t, autograd.BF16, 1) }

// TestGemmTF32Layout is TestGemmBF16Layout for mma_tf32_m16n8k8's layouts
// and tf32_bits's rounding, through kernels.GemmTF32 (two k8 steps).
func TestGemmTF32Layout(t *testing.T) { testWarpLayout(t, autograd.TF32, 7) }

// testWarpLayout checks p's warpGemms kernel by moving values, random
// ones from stream seed.
func testWarpLayout(t *testing.T, p autograd.Precision, seed uint64) {
	rng := rand.New(rand.NewPCG(19, seed))
	// Values of many magnitudes, and ties of p's rounding (1+u rounds
	// down to even, 1+3u up, u = p.UnitRoundoff()).
	u := float32(p.UnitRoundoff())
	values := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(math.Ldexp(rng.NormFloat64(), rng.IntN(40)-20))
		}
		v[0], v[1], v[2] = 1+u, 1+3*u, -(1 + u)
		return v
	}
	eye := make([]float32, 16*16)
	for i := range 16 {
		eye[i*16+i] = 1
	}
	b := values(16 * 8)
	exact(t, p, "identity x B", gemmWarp(t, p, 16, 8, 16, eye, b), b)

	a := values(16 * 16)
	for _, shift := range []int{0, 8} {
		pick := make([]float32, 16*8) // pick[k][j] = 1 where k = j + shift
		want := make([]float32, 16*8) // columns shift..shift+7 of a
		for j := range 8 {
			pick[(j+shift)*8+j] = 1
			for i := range 16 {
				want[i*8+j] = a[i*16+j+shift]
			}
		}
		exact(t, p, fmt.Sprintf("A x columns %d..%d of the identity", shift, shift+7),
			gemmWarp(t, p, 16, 8, 16, a, pick), want)
	}
}

// exact fails unless got is want rounded to p, bit for bit.
func exact(t *testing.T, p autograd.Precision, what string, got, want []float32) {
	t.Helper()
	for i, w := range want {
		if r := p.Round(w); math.Float32bits(got[i]) != math.Float32bits(r) {
			t.Errorf("%s: element (%d, %d) = %v, want %v (%v rounded to %v)", what, i/8, i%8, got[i], r, w, p)
			return
		}
	}
}

// TestGemmBF16AgainstReference checks random products against a float64
// reference on operands rounded to bf16, and against the CPU backend's
// Gemm at autograd.BF16. The kernel sums in fp32 in an order of its own
// (a GPU's is unspecified), so each element may differ from the float64
// sum E by fp32 accumulation's bound over k products, gamma_k*sum|a*b|
// with gamma_k = k*u/(1-k*u), u = 2^-24, and then by bf16 rounding of the
// result, 2^-8 of it; from the CPU's, by twice that.
func TestGemmBF16AgainstReference(t *testing.T) { testWarpAgainstReference(t, autograd.BF16, 2) }

// TestGemmTF32AgainstReference is TestGemmBF16AgainstReference for
// kernels.GemmTF32: 2^-11 in place of 2^-8.
func TestGemmTF32AgainstReference(t *testing.T) { testWarpAgainstReference(t, autograd.TF32, 8) }

// testWarpAgainstReference checks p's warpGemms kernel on random
// operands from stream seed.
func testWarpAgainstReference(t *testing.T, p autograd.Precision, seed uint64) {
	rng := rand.New(rand.NewPCG(19, seed))
	host := cpu.New(0)
	host.SetPrecision(p)
	for _, c := range []struct{ m, n, k int }{{16, 8, 16}, {48, 40, 64}, {64, 64, 512}} {
		name := fmt.Sprintf("%dx%dx%d", c.m, c.n, c.k)
		a, b := randn(rng, c.m*c.k), randn(rng, c.k*c.n)
		got := gemmWarp(t, p, c.m, c.n, c.k, a, b)

		ha, hb, hc := upload(t, host, a), upload(t, host, b), host.Alloc(autograd.Float32, c.m*c.n)
		host.Gemm(false, false, c.m, c.n, c.k, 1, ha, hb, 0, hc)
		onCPU := cpu.Float32s(hc)

		u, ub := math.Ldexp(1, -24), p.UnitRoundoff()
		gamma := float64(c.k) * u / (1 - float64(c.k)*u)
		bad := 0
		for i := range c.m {
			for j := range c.n {
				sum, abs := 0.0, 0.0
				for l := range c.k {
					prod := float64(p.Round(a[i*c.k+l])) * float64(p.Round(b[l*c.n+j]))
					sum += prod
					abs += math.Abs(prod)
				}
				tol := ub*math.Abs(sum) + (1+ub)*gamma*abs
				g := got[i*c.n+j]
				if p.Round(g) != g || math.Abs(float64(g)-sum) > tol ||
					math.Abs(float64(g)-float64(onCPU[i*c.n+j])) > 2*tol {
					if bad < 5 {
						t.Errorf("%s: element (%d, %d) = %v, want %v within %.3g (CPU %v), a %v value",
							name, i, j, g, sum, tol, onCPU[i*c.n+j], p)
					}
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d elements wrong", name, bad, c.m*c.n)
		}
	}
}
