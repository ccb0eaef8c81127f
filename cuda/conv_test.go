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

// The shared suite checks every geometry at sizes small enough for
// central differences, where only the small tile runs unsplit. These
// tests compare against the CPU backend at sizes that take the big tile,
// split reductions and the fast paths.

// closeTo fails unless |got-want| <= atol + rtol*|want| everywhere, with
// atol = 1e-4*sqrt(red): the typical size of a sum of red products of
// standard normals is sqrt(red), so this is a relative error of 1e-4
// against it.
func closeTo(t *testing.T, what string, got, want []float32, red int) {
	t.Helper()
	atol, rtol := 1e-4*math.Sqrt(float64(red)), 1e-4
	bad := 0
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= atol+rtol*math.Abs(float64(want[i]))) {
			if bad < 5 {
				t.Errorf("%s: element %d = %g, want %g", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements differ", what, bad, len(want))
	}
}

// poisoned returns a GPU buffer of n NaNs, so that an output element a
// kernel fails to write shows up.
func poisoned(n int) autograd.Buffer {
	buf := gpu.Alloc(autograd.Float32, n)
	gpu.Fill(buf, float32(math.NaN()))
	return buf
}

func TestGemmAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		name    string
		m, n, k int
	}{
		{"1x1x1", 1, 1, 1},
		{"k=0", 3, 4, 0},
		{"odd", 37, 29, 53},
		{"small tile", 130, 67, 300},
		{"big tile", 1500, 1300, 40},
		{"split k, small tile", 3, 5, 5000},
		{"split k, big tile", 260, 130, 8000},
	} {
		a, bm := randn(rng, c.m*c.k), randn(rng, c.k*c.n)
		ga, gb := upload(t, gpu, a), upload(t, gpu, bm)
		c0 := randn(rng, c.m*c.n)
		prod := make([]float64, c.m*c.n) // a*b in float64
		for i := range c.m {
			for j := range c.n {
				for l := range c.k {
					prod[i*c.n+j] += float64(a[i*c.k+l]) * float64(bm[l*c.n+j])
				}
			}
		}
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, ab := range [][2]float32{{1, 0}, {0.5, 1.5}} {
				name := fmt.Sprintf("%s transA=%v transB=%v alpha=%g beta=%g", c.name, tr[0], tr[1], ab[0], ab[1])
				// a and b hold op(a) (m, k) and op(b) (k, n) row-major; each
				// transposed operand is stored transposed.
				sa, sb := a, bm
				if tr[0] {
					sa = transpose(a, c.m, c.k)
				}
				if tr[1] {
					sb = transpose(bm, c.k, c.n)
				}
				gpu.WriteFloat32(ga, sa)
				gpu.WriteFloat32(gb, sb)
				var gc autograd.Buffer
				if ab[1] == 0 {
					gc = poisoned(c.m * c.n)
				} else {
					gc = upload(t, gpu, c0)
				}
				gpu.Gemm(tr[0], tr[1], c.m, c.n, c.k, ab[0], ga, gb, ab[1], gc)
				want := make([]float32, c.m*c.n)
				for i, s := range prod {
					want[i] = float32(float64(ab[0])*s + float64(ab[1])*float64(c0[i]))
				}
				closeTo(t, name, download(gpu, gc), want, max(c.k, 1))
				gpu.Free(gc)
			}
		}
		gpu.Free(ga)
		gpu.Free(gb)
	}
}

// transpose returns the (cols, rows) transpose of the row-major (rows,
// cols) matrix v.
func transpose(v []float32, rows, cols int) []float32 {
	out := make([]float32, len(v))
	for i := range rows {
		for j := range cols {
			out[j*rows+i] = v[i*cols+j]
		}
	}
	return out
}

// convCases are geometries of the zoo at sizes that exercise the paths
// the suite's small cases do not.
var convCases = []struct {
	name string
	p    autograd.ConvParams
}{
	{"3x3 big tile, split filter gradient", squareConv(16, 32, 32, 48, 160, 3, 3, 1, 1, 1, 1)},
	{"3x3s2 dilation 2 groups=2 odd", squareConv(4, 29, 29, 64, 96, 3, 3, 2, 2, 2, 2)},
	// dilation 3 at stride 2 (gcd 1): the taps of a phase step by the
	// stride and the outputs they read by more than one.
	{"3x3s2 dilation 3", squareConv(2, 19, 19, 16, 32, 3, 3, 2, 3, 3, 1)},
	{"7x7s2p3 stem", squareConv(4, 61, 61, 3, 64, 7, 7, 2, 3, 1, 1)},
	{"1x1 pointwise", squareConv(8, 14, 14, 256, 72, 1, 1, 1, 0, 1, 1)},
	{"1x1 pointwise groups=4", squareConv(4, 9, 11, 64, 128, 1, 1, 1, 0, 1, 4)},
	{"1x1s2 projection", squareConv(8, 15, 15, 64, 96, 1, 1, 2, 0, 1, 1)},
	{"resnext 3x3 groups=32", squareConv(4, 14, 14, 128, 128, 3, 3, 1, 1, 1, 32)},
	{"depthwise 3x3s2", squareConv(4, 30, 30, 96, 96, 3, 3, 2, 1, 1, 96)},
	{"depthwise 5x5 multiplier 2", squareConv(2, 17, 17, 40, 80, 5, 5, 1, 2, 1, 40)},
	{"11x11s4p2 alexnet", squareConv(2, 63, 63, 3, 64, 11, 11, 4, 2, 1, 1)},
	// Strided input gradients run per output phase (kernels/conv_phase.cuh):
	// even sizes give equal phases, odd ones (above) unequal ones, a 1x1
	// input at stride 2 three empty phases.
	{"3x3s2p1 even groups=2", squareConv(4, 16, 16, 32, 64, 3, 3, 2, 1, 1, 2)},
	{"3x3s2p1 1x1 input", squareConv(3, 1, 1, 64, 64, 3, 3, 2, 1, 1, 1)},
	{"7x7s2p3 stem even", squareConv(2, 32, 32, 3, 64, 7, 7, 2, 3, 1, 1)},
	{"1x1s2 projection even", squareConv(4, 14, 14, 64, 128, 1, 1, 2, 0, 1, 1)},
	// At stride 3 with pad 1, (h + pad) and (h - pad) mod 3 differ, unlike
	// at stride 2 or at stride 4 with pad 2.
	{"5x5s3p1", squareConv(2, 17, 17, 16, 32, 5, 5, 3, 1, 1, 1)},
	{"non-square", autograd.ConvParams{N: 3, H: 20, W: 33, C: 24, K: 40, R: 3, S: 5, StrideH: 1, StrideW: 2,
		PadH: 1, PadW: 2, DilH: 1, DilW: 2, Groups: 1}},
}

// squareConv returns ConvParams with equal height and width settings.
func squareConv(n, h, w, c, k, r, s, stride, pad, dil, groups int) autograd.ConvParams {
	return autograd.ConvParams{N: n, H: h, W: w, C: c, K: k, R: r, S: s, StrideH: stride, StrideW: stride,
		PadH: pad, PadW: pad, DilH: dil, DilW: dil, Groups: groups}
}

// TestConvAgainstCPU runs the three convolution passes on both backends
// with the GPU's outputs poisoned, and runs the filter gradient twice to
// check that it is deterministic.
func TestConvAgainstCPU(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	host := cpu.New(0)
	for _, c := range convCases {
		p := c.p
		in, out, filt := p.N*p.H*p.W*p.C, p.N*p.P()*p.Q()*p.K, p.K*p.R*p.S*(p.C/p.Groups)
		x, w, dy := randn(rng, in), randn(rng, filt), randn(rng, out)
		hx, hw, hdy := upload(t, host, x), upload(t, host, w), upload(t, host, dy)
		hy, hdx, hdw := host.Alloc(autograd.Float32, out), host.Alloc(autograd.Float32, in), host.Alloc(autograd.Float32, filt)
		host.Conv2D(p, hx, hw, hy)
		host.Conv2DBackwardData(p, hdy, hw, hdx)
		host.Conv2DBackwardFilter(p, hx, hdy, hdw)

		gx, gw, gdy := upload(t, gpu, x), upload(t, gpu, w), upload(t, gpu, dy)
		gy, gdx, gdw := poisoned(out), poisoned(in), poisoned(filt)
		gpu.Conv2D(p, gx, gw, gy)
		gpu.Conv2DBackwardData(p, gdy, gw, gdx)
		gpu.Conv2DBackwardFilter(p, gx, gdy, gdw)
		taps := p.R * p.S
		closeTo(t, c.name+" forward", download(gpu, gy), cpu.Float32s(hy), taps*p.C/p.Groups)
		closeTo(t, c.name+" backward data", download(gpu, gdx), cpu.Float32s(hdx), taps*p.K/p.Groups)
		first := download(gpu, gdw)
		closeTo(t, c.name+" backward filter", first, cpu.Float32s(hdw), p.N*p.P()*p.Q())
		gpu.Conv2DBackwardFilter(p, gx, gdy, gdw)
		for i, v := range download(gpu, gdw) {
			if math.Float32bits(v) != math.Float32bits(first[i]) {
				t.Errorf("%s: backward filter not deterministic at %d: %g then %g", c.name, i, first[i], v)
				break
			}
		}
		for _, b := range []autograd.Buffer{gx, gw, gdy, gy, gdx, gdw} {
			gpu.Free(b)
		}
	}
}

// TestConvPanics checks that a buffer that does not match the geometry
// panics instead of launching.
func TestConvPanics(t *testing.T) {
	p := squareConv(1, 5, 5, 4, 2, 3, 3, 1, 1, 1, 1)
	x, w, y := gpu.Alloc(autograd.Float32, 100), gpu.Alloc(autograd.Float32, 72), gpu.Alloc(autograd.Float32, 49)
	defer func() {
		for _, b := range []autograd.Buffer{x, w, y} {
			gpu.Free(b)
		}
	}()
	for name, f := range map[string]func(){
		"short output":   func() { gpu.Conv2D(p, x, w, y) },
		"invalid params": func() { q := p; q.Groups = 3; gpu.Conv2D(q, x, w, y) },
		"gemm too short": func() { gpu.Gemm(false, false, 10, 10, 10, 1, x, x, 0, y) },
		// Matching buffers, but a side the gathers' 16-bit coordinates
		// (kernels/conv_gemm.cuh) cannot hold.
		"side past 2^15": func() {
			q := autograd.ConvParams{N: 1, H: 1, W: 1 << 15, C: 1, K: 1, R: 1, S: 1, StrideH: 1, StrideW: 1,
				DilH: 1, DilW: 1, Groups: 1}
			wx, ww, wy := gpu.Alloc(autograd.Float32, 1<<15), gpu.Alloc(autograd.Float32, 1), gpu.Alloc(autograd.Float32, 1<<15)
			defer func() {
				for _, b := range []autograd.Buffer{wx, ww, wy} {
					gpu.Free(b)
				}
			}()
			gpu.Conv2D(q, wx, ww, wy)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
