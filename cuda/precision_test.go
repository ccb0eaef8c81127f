//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// precisionBound is how far the GPU's and the CPU's results at p (bf16
// or tf32) may lie apart. Both sum the same n products of values of p,
// each exact in fp32 (8-bit by 8-bit significands at bf16, 11-bit by
// 11-bit at tf32), in fp32 but in different orders: any order's sum
// differs from the exact one by at most gamma_n*S, S the sum of the
// products' magnitudes and gamma_n = n*u/(1-n*u), u = 2^-24, so the two
// sums a and b differ by at most 2*gamma_n*S. Each is then rounded to p,
// g = a(1+e), |e| <= ub = p.UnitRoundoff() (2^-8 at bf16, 2^-11 at tf32),
// so |a-g| <= ub*|g|/(1-ub), and |g-c| <= ub/(1-ub)*(|g|+|c|) +
// 2*gamma_n*S.
func precisionBound(p autograd.Precision, n int, s, g, c float64) float64 {
	u, ub := math.Ldexp(1, -24), p.UnitRoundoff()
	gamma := float64(n) * u / (1 - float64(n)*u)
	return ub/(1-ub)*(math.Abs(g)+math.Abs(c)) + 2*gamma*s
}

// closeIn fails unless every element of got is a value of p within
// precisionBound of want, the CPU backend's result; abs holds S for each
// element, computed in fp32 from nonnegative terms, so within gamma_n of
// S, and taken as abs/(1-gamma_n).
func closeIn(t *testing.T, p autograd.Precision, what string, got, want, abs []float32, n int) {
	t.Helper()
	gamma := float64(n) * math.Ldexp(1, -24) / (1 - float64(n)*math.Ldexp(1, -24))
	bad := 0
	for i := range want {
		g, c := float64(got[i]), float64(want[i])
		tol := precisionBound(p, n, float64(abs[i])/(1-gamma), g, c)
		if p.Round(got[i]) != got[i] || !(math.Abs(g-c) <= tol) {
			if bad < 5 {
				t.Errorf("%s: element %d = %v, want %v within %.3g, a %v value", what, i, got[i], want[i], tol, p)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements wrong", what, bad, len(want))
	}
}

// atPrecision sets the GPU to p until t ends and returns the CPU
// reference at p and a CPU backend at fp32, which computes S.
func atPrecision(t *testing.T, p autograd.Precision) (host, plain *cpu.Backend) {
	host, plain = cpu.New(0), cpu.New(0)
	host.SetPrecision(p)
	gpu.SetPrecision(p)
	t.Cleanup(func() { gpu.SetPrecision(autograd.FP32) })
	return host, plain
}

// magnitudes returns |v| rounded to p, the operands of S.
func magnitudes(p autograd.Precision, v []float32) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(math.Abs(float64(p.Round(x))))
	}
	return out
}

// tensorConvCases cover the shapes -amp bf16 and tf32 meet: padded and strided
// 3x3, 1x1 (as a GEMM, and strided as an implicit GEMM), a 7x7 stem,
// groups, channel counts that fill no tile, a single image, a filter
// gradient long enough to be split, a depthwise convolution (fp32
// kernels on rounded operands), and strided input gradients' phases.
var tensorConvCases = []struct {
	name string
	p    autograd.ConvParams
}{
	{"3x3s1p1", squareConv(2, 9, 9, 16, 24, 3, 3, 1, 1, 1, 1)},
	{"3x3s2p1", squareConv(2, 11, 11, 20, 40, 3, 3, 2, 1, 1, 1)},
	{"3x3s2 dilation 3", squareConv(2, 19, 19, 16, 32, 3, 3, 2, 3, 3, 1)},
	{"1x1 pointwise", squareConv(2, 7, 7, 24, 72, 1, 1, 1, 0, 1, 1)},
	{"1x1s2 projection", squareConv(2, 9, 9, 24, 40, 1, 1, 2, 0, 1, 1)},
	{"7x7s2p3 stem", squareConv(1, 19, 19, 3, 70, 7, 7, 2, 3, 1, 1)},
	{"3x3 groups=4", squareConv(2, 8, 8, 36, 52, 3, 3, 1, 1, 1, 4)},
	{"odd channels N=1", squareConv(1, 6, 7, 5, 67, 3, 3, 1, 1, 1, 1)},
	{"split filter gradient", squareConv(4, 32, 32, 3, 16, 3, 3, 1, 1, 1, 1)},
	{"depthwise 3x3", squareConv(2, 9, 9, 24, 24, 3, 3, 1, 1, 1, 24)},
	// The input gradient's output phases: even sizes (the odd ones above
	// give unequal phases), groups, and a 1x1 input with empty phases.
	{"3x3s2p1 even groups=2", squareConv(2, 10, 10, 16, 32, 3, 3, 2, 1, 1, 2)},
	{"1x1s2 projection even", squareConv(2, 8, 8, 24, 40, 1, 1, 2, 0, 1, 1)},
	{"7x7s2p3 stem even", squareConv(1, 16, 16, 3, 70, 7, 7, 2, 3, 1, 1)},
	{"3x3s2p1 1x1 input", squareConv(2, 1, 1, 16, 24, 3, 3, 2, 1, 1, 1)},
	// The pipelined forward pass (C and C/G multiples of 4): groups, wide
	// padding with dilation, a reduction (36) and outputs (42, 6 a group)
	// that fill no tile.
	{"3x3p2 dilation 2 groups=2", squareConv(1, 7, 6, 8, 12, 3, 3, 1, 2, 2, 2)},
	// The pipelined filter gradient split in two (1058 output pixels:
	// cuda's plan), the last split ragged.
	{"split pipelined filter gradient", squareConv(2, 23, 23, 16, 16, 3, 3, 1, 1, 1, 1)},
}

// TestConvBF16AgainstCPU runs the three convolution passes at bf16 on the
// GPU (tensor-core kernels under the stand-in) and on the CPU reference,
// and checks them within precisionBound.
func TestConvBF16AgainstCPU(t *testing.T) { testConvAgainstCPU(t, autograd.BF16, 3) }

// TestConvTF32AgainstCPU is TestConvBF16AgainstCPU at tf32.
func TestConvTF32AgainstCPU(t *testing.T) { testConvAgainstCPU(t, autograd.TF32, 5) }

// testConvAgainstCPU runs tensorConvCases' three passes at precision pr on
// the GPU and on the CPU reference, random operands from stream seed.
func testConvAgainstCPU(t *testing.T, pr autograd.Precision, seed uint64) {
	rng := rand.New(rand.NewPCG(19, seed))
	host, plain := atPrecision(t, pr)
	for _, c := range tensorConvCases {
		p := c.p
		in, out, filt := p.N*p.H*p.W*p.C, p.N*p.P()*p.Q()*p.K, p.K*p.R*p.S*(p.C/p.Groups)
		x, w, dy := randn(rng, in), randn(rng, filt), randn(rng, out)
		// passes runs the three passes on be, returning y, dx and dw.
		passes := func(be autograd.Backend, x, w, dy []float32) (y, dx, dw []float32) {
			bx, bw, bdy := upload(t, be, x), upload(t, be, w), upload(t, be, dy)
			by, bdx, bdw := be.Alloc(autograd.Float32, out), be.Alloc(autograd.Float32, in), be.Alloc(autograd.Float32, filt)
			if be == autograd.Backend(gpu) {
				for _, buf := range []autograd.Buffer{by, bdx, bdw} {
					gpu.Fill(buf, float32(math.NaN()))
				}
			}
			be.Conv2D(p, bx, bw, by)
			be.Conv2DBackwardData(p, bdy, bw, bdx)
			be.Conv2DBackwardFilter(p, bx, bdy, bdw)
			y, dx, dw = download(be, by), download(be, bdx), download(be, bdw)
			for _, buf := range []autograd.Buffer{bx, bw, bdy, by, bdx, bdw} {
				be.Free(buf)
			}
			return y, dx, dw
		}
		gy, gdx, gdw := passes(gpu, x, w, dy)
		cy, cdx, cdw := passes(host, x, w, dy)
		sy, sdx, sdw := passes(plain, magnitudes(pr, x), magnitudes(pr, w), magnitudes(pr, dy))
		taps := p.R * p.S
		closeIn(t, pr, c.name+" forward", gy, cy, sy, taps*p.C/p.Groups)
		closeIn(t, pr, c.name+" backward data", gdx, cdx, sdx, taps*p.K/p.Groups)
		closeIn(t, pr, c.name+" backward filter", gdw, cdw, sdw, p.N*p.P()*p.Q())
	}
}

// TestGemmBF16Tiled checks Gemm at bf16 (the tiled tensor-core products)
// in every combination of transposes against the CPU reference, with
// alpha 2 (exact) and beta 0.5: alpha*sum + beta*c is one more fp32
// addition, so n = k+1 terms, S = 2*sum|a*b| + |0.5*c|.
func TestGemmBF16Tiled(t *testing.T) { testGemmTiled(t, autograd.BF16, 4) }

// TestGemmTF32Tiled is TestGemmBF16Tiled at tf32.
func TestGemmTF32Tiled(t *testing.T) { testGemmTiled(t, autograd.TF32, 6) }

// gemmTiledCases are testGemmTiled's shapes: the first four run the
// register-staged kernels (a leading dimension not a multiple of 4) in
// every transpose but nt, where both leading dimensions are k; the others
// the cp.async pipelined ones in every transpose (kernels/mma_pipe.cuh),
// with edges ragged in m, n and k (zero-filled copies), several blocks,
// and a split reduction.
var gemmTiledCases = []struct{ m, n, k int }{{1, 1, 1}, {37, 29, 53}, {130, 67, 300}, {3, 5, 5000},
	{36, 28, 52}, {132, 68, 300}, {4, 8, 4096}}

// testGemmTiled checks Gemm at precision p, random operands from stream
// seed.
func testGemmTiled(t *testing.T, p autograd.Precision, seed uint64) {
	rng := rand.New(rand.NewPCG(19, seed))
	host, plain := atPrecision(t, p)
	for _, c := range gemmTiledCases {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			name := fmt.Sprintf("%dx%dx%d transA=%v transB=%v", c.m, c.n, c.k, tr[0], tr[1])
			a, b, c0 := randn(rng, c.m*c.k), randn(rng, c.k*c.n), randn(rng, c.m*c.n)
			gemm := func(be autograd.Backend, a, b, c0 []float32, alpha, beta float32) []float32 {
				ba, bb, bc := upload(t, be, a), upload(t, be, b), upload(t, be, c0)
				be.Gemm(tr[0], tr[1], c.m, c.n, c.k, alpha, ba, bb, beta, bc)
				out := download(be, bc)
				for _, buf := range []autograd.Buffer{ba, bb, bc} {
					be.Free(buf)
				}
				return out
			}
			got, want := gemm(gpu, a, b, c0, 2, 0.5), gemm(host, a, b, c0, 2, 0.5)
			absC := make([]float32, len(c0)) // c enters unrounded, as on the CPU
			for i, v := range c0 {
				absC[i] = float32(math.Abs(float64(v)))
			}
			abs := gemm(plain, magnitudes(p, a), magnitudes(p, b), absC, 2, 0.5)
			closeIn(t, p, name, got, want, abs, c.k+1)

			// Exact: operands that round to integers, so that every sum is
			// exact in fp32 in any order and the result must be the exact
			// one rounded to p, bit for bit.
			a, b, c0 = nearIntegers(rng, p, c.m*c.k), nearIntegers(rng, p, c.k*c.n), nearIntegers(rng, p, c.m*c.n)
			got = gemm(gpu, a, b, c0, 2, 0.5)
			at, bt := a, b
			if tr[0] {
				at = transpose(a, c.k, c.m)
			}
			if tr[1] {
				bt = transpose(b, c.n, c.k)
			}
			for i := range c.m {
				for j := range c.n {
					sum := 0.5 * float64(c0[i*c.n+j])
					for l := range c.k {
						sum += 2 * float64(p.Round(at[i*c.k+l])) * float64(p.Round(bt[l*c.n+j]))
					}
					if want := p.Round(float32(sum)); got[i*c.n+j] != want {
						t.Fatalf("%s, near integers: element (%d, %d) = %v, want %v exactly", name, i, j, got[i*c.n+j], want)
					}
				}
			}
		}
	}
}

// nearIntegers returns n values k -+ u/2, k an integer of magnitude 2 to
// 8 and u = p.UnitRoundoff() (2^-9 at bf16, 2^-12 at tf32): p rounds each
// to k (to nearest: half of p's gap below 2 is u; truncation would not),
// and sums of products of them stay exact in fp32.
func nearIntegers(rng *rand.Rand, p autograd.Precision, n int) []float32 {
	d := p.UnitRoundoff() / 2
	v := make([]float32, n)
	for i := range v {
		k := float32(2 + rng.IntN(7))
		if rng.IntN(2) == 0 {
			k = -k
		}
		v[i] = k - float32(math.Copysign(d, float64(k)))*float32(2*rng.IntN(2)-1)
	}
	return v
}

// TestSetPrecisionRefusesUnknown checks that the GPU backend takes fp32,
// tf32 and bf16 and refuses a precision it has no kernels for, naming it.
func TestSetPrecisionRefusesUnknown(t *testing.T) {
	for _, p := range []autograd.Precision{autograd.FP32, autograd.TF32, autograd.BF16} {
		if !gpu.SupportsPrecision(p) {
			t.Errorf("SupportsPrecision(%v) = false", p)
		}
	}
	defer func() {
		if r := recover(); r == nil || fmt.Sprint(r) != "cuda: SetPrecision(Precision(3)): the GPU backend has no Precision(3) kernels" {
			t.Errorf("SetPrecision(Precision(3)): recovered %v", r)
		}
	}()
	gpu.SetPrecision(autograd.Precision(3))
}
