package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/backendtest"
)

// TestBackendWinograd runs the shared suite with Winograd forced on every
// convolution it can compute, whatever the channel counts, in both
// schedules: the suite's small geometries would otherwise all take the
// direct path.
func TestBackendWinograd(t *testing.T) {
	if winogradConv == nil {
		t.Skip("no Winograd convolution in this build")
	}
	for _, workers := range []int{1, 3} {
		for schedule := range winogradSchedules(workers) {
			t.Run(fmt.Sprintf("workers=%d/%s", workers, schedule), func(t *testing.T) {
				backendtest.Run(t, func() autograd.Backend { return winogradSchedules(workers)[schedule] })
			})
		}
	}
}

// The F(2x2, 3x3) matrices, written out here apart from the unrolled
// transforms of winograd_amd64.go: Y = A^T [(G g G^T) ⊙ (B^T d B)] A.
var (
	winoAT = [2][4]float64{{1, 1, 1, 0}, {0, 1, -1, -1}}
	winoG  = [4][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	winoBT = [4][4]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}
)

// winogradBound returns, for each output element of the 3x3 stride-1
// convolution p of x with filters w (forward layout), the bound on
// |Winograd in float32 - exact| that docs/winograd.md derives:
// gamma(C+10) * sum over c of |A|^T [(|G| |g| |G|^T) ⊙ (|B|^T |d| |B|)] |A|,
// with gamma(n) = n u / (1 - n u), u = 2^-24.
func winogradBound(p autograd.ConvParams, x, w []float64) []float64 {
	n := float64(p.C + 10)
	u := math.Ldexp(1, -24)
	gamma := n * u / (1 - n*u)
	P, Q := p.P(), p.Q()
	out := make([]float64, p.N*P*Q*p.K)
	for img := range p.N {
		for p0 := 0; p0 < P; p0 += 2 {
			for q0 := 0; q0 < Q; q0 += 2 {
				for k := range p.K {
					var acc [2][2]float64
					for c := range p.C {
						var d [4][4]float64
						for i := range 4 {
							for j := range 4 {
								h, ww := p0-p.PadH+i, q0-p.PadW+j
								if h >= 0 && h < p.H && ww >= 0 && ww < p.W {
									d[i][j] = math.Abs(x[((img*p.H+h)*p.W+ww)*p.C+c])
								}
							}
						}
						var g [3][3]float64
						for r := range 3 {
							for s := range 3 {
								g[r][s] = math.Abs(w[((k*3+r)*3+s)*p.C+c])
							}
						}
						// |G| g |G|^T and |B^T| d |B|, then |A^T| (U ⊙ V) |A|.
						var uu, vv [4][4]float64
						for i := range 4 {
							for j := range 4 {
								for a := range 3 {
									for b := range 3 {
										uu[i][j] += math.Abs(winoG[i][a]) * g[a][b] * math.Abs(winoG[j][b])
									}
								}
								for a := range 4 {
									for b := range 4 {
										vv[i][j] += math.Abs(winoBT[i][a]) * d[a][b] * math.Abs(winoBT[j][b])
									}
								}
							}
						}
						for a := range 2 {
							for b := range 2 {
								for i := range 4 {
									for j := range 4 {
										acc[a][b] += math.Abs(winoAT[a][i]) * uu[i][j] * vv[i][j] * math.Abs(winoAT[b][j])
									}
								}
							}
						}
					}
					for a := range 2 {
						for b := range 2 {
							if p0+a < P && q0+b < Q {
								out[((img*P+p0+a)*Q+q0+b)*p.K+k] = gamma * acc[a][b]
							}
						}
					}
				}
			}
		}
	}
	return out
}

// convRef64 returns the convolution p of x with w in float64, exact to
// well within the float32 bound for these sizes.
func convRef64(p autograd.ConvParams, x, w []float64) []float64 {
	P, Q := p.P(), p.Q()
	y := make([]float64, p.N*P*Q*p.K)
	for n := range p.N {
		for i := range P {
			for j := range Q {
				for k := range p.K {
					var s float64
					forTaps(p, i, j, func(r, c, h, ww int) {
						for ch := range p.C {
							s += x[((n*p.H+h)*p.W+ww)*p.C+ch] * w[((k*p.R+r)*p.S+c)*p.C+ch]
						}
					})
					y[((n*P+i)*Q+j)*p.K+k] = s
				}
			}
		}
	}
	return y
}

// forTaps calls f with each tap (r, s) of the stride-1 convolution p's
// output pixel (i, j) that falls inside the image, and the input pixel
// (h, w) it reads, r then s ascending.
func forTaps(p autograd.ConvParams, i, j int, f func(r, s, h, w int)) {
	for r := range p.R {
		for s := range p.S {
			if h, w := i-p.PadH+r, j-p.PadW+s; h >= 0 && h < p.H && w >= 0 && w < p.W {
				f(r, s, h, w)
			}
		}
	}
}

// winogradCases are 3x3 stride-1 geometries with odd output sizes (tiles
// cut by the edge), channel counts that are not multiples of the kernel's
// 16 columns or 6 rows, and paddings 0, 1 and 2.
var winogradCases = []autograd.ConvParams{
	{N: 2, H: 7, W: 9, C: 17, K: 33, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 1, H: 8, W: 8, C: 64, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 0, PadW: 0, DilH: 1, DilW: 1, Groups: 1},
	{N: 3, H: 5, W: 6, C: 5, K: 70, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 1, H: 12, W: 11, C: 200, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
}

// winogradSchedules are backends forced onto Winograd with its blocked
// schedule and with its whole-batch one (see winogradWideFrom), whatever
// the channel counts.
func winogradSchedules(workers int) map[string]*Backend {
	blocked, wide := New(workers), New(workers)
	blocked.winograd, wide.winograd = winogradAlways, winogradAlways
	blocked.wideFrom, wide.wideFrom = math.MaxInt, 0
	return map[string]*Backend{"blocked": blocked, "whole-batch": wide}
}

// TestWinogradErrorBound checks Winograd's forward and backward-data
// passes, in both schedules, against float64 convolutions, element by
// element, within the derived bound: on inputs of mixed scales (where a
// loose transform shows) and on random normals.
func TestWinogradErrorBound(t *testing.T) {
	if winogradConv == nil {
		t.Skip("no Winograd convolution in this build")
	}
	for schedule, b := range winogradSchedules(3) {
		t.Run(schedule, func(t *testing.T) { testWinogradErrorBound(t, b) })
	}
}

func testWinogradErrorBound(t *testing.T, b *Backend) {
	rng := rand.New(rand.NewPCG(7, 21))
	for _, p := range winogradCases {
		xn, wn, yn := p.Sizes()
		x, w, dy := randMixed(rng, xn), randMixed(rng, wn), randMixed(rng, yn)
		g := newConvGeom("test", p)
		if !b.useWinograd(g) {
			t.Fatalf("%+v: Winograd not chosen", p)
		}
		y := make([]float32, yn)
		b.Conv2D(p, f32(x), f32(w), f32(y))
		checkBound(t, fmt.Sprintf("forward %dx%dx%d->%d pad %d,%d", p.H, p.W, p.C, p.K, p.PadH, p.PadW),
			y, convRef64(p, widen(x), widen(w)), winogradBound(p, widen(x), widen(w)))

		// Backward data is the convolution q of dy with w flipped and
		// transposed, which the reference forms explicitly.
		q, ok := g.transposedAsConv()
		if !ok {
			t.Fatalf("%+v: no transposed convolution", p)
		}
		wf := make([]float64, wn) // (C, 3, 3, K)
		for k := range p.K {
			for t := range 9 {
				for c := range p.C {
					wf[((c*3+2-t/3)*3+2-t%3)*p.K+k] = float64(w[(k*9+t)*p.C+c])
				}
			}
		}
		dx := make([]float32, xn)
		b.Conv2DBackwardData(p, f32(dy), f32(w), f32(dx))
		checkBound(t, fmt.Sprintf("backward-data %dx%dx%d->%d pad %d,%d", p.H, p.W, p.C, p.K, p.PadH, p.PadW),
			dx, convRef64(q, widen(dy), wf), winogradBound(q, widen(dy), wf))
	}
}

// TestWinogradSchedulesAgree checks that the whole-batch schedule gives the
// blocked one's forward and backward-data results bit for bit, as its
// comment claims: each output element is summed over the channels in the
// same order whatever the schedule.
func TestWinogradSchedulesAgree(t *testing.T) {
	if winogradConv == nil {
		t.Skip("no Winograd convolution in this build")
	}
	s := winogradSchedules(2)
	rng := rand.New(rand.NewPCG(4, 4))
	for _, p := range winogradCases {
		xn, wn, yn := p.Sizes()
		x, w, dy := randMixed(rng, xn), randMixed(rng, wn), randMixed(rng, yn)
		run := func(b *Backend) (y, dx []float32) {
			y, dx = make([]float32, yn), make([]float32, xn)
			b.Conv2D(p, f32(x), f32(w), f32(y))
			b.Conv2DBackwardData(p, f32(dy), f32(w), f32(dx))
			return y, dx
		}
		y0, dx0 := run(s["blocked"])
		y1, dx1 := run(s["whole-batch"])
		for i := range y0 {
			if math.Float32bits(y0[i]) != math.Float32bits(y1[i]) {
				t.Fatalf("%+v: forward element %d: whole-batch %g, blocked %g", p, i, y1[i], y0[i])
			}
		}
		for i := range dx0 {
			if math.Float32bits(dx0[i]) != math.Float32bits(dx1[i]) {
				t.Fatalf("%+v: backward-data element %d: whole-batch %g, blocked %g", p, i, dx1[i], dx0[i])
			}
		}
	}
}

// checkBound fails for each element of got farther from want than bound.
func checkBound(t *testing.T, name string, got []float32, want, bound []float64) {
	t.Helper()
	worst, bad := 0.0, 0
	for i, g := range got {
		err := math.Abs(float64(g) - want[i])
		if !(err <= bound[i]) { // NaN fails too
			if bad++; bad <= 3 {
				t.Errorf("%s: element %d = %g, want %g: error %.3g > bound %.3g", name, i, g, want[i], err, bound[i])
			}
		}
		if bound[i] > 0 {
			worst = max(worst, err/bound[i])
		}
	}
	t.Logf("%s: largest error / bound %.3f", name, worst)
}

// randMixed returns n normals scaled by powers of two from 2^-8 to 2^8,
// so that large and small terms meet in the transforms' sums.
func randMixed(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.Ldexp(rng.NormFloat64(), rng.IntN(17)-8))
	}
	return v
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// TestWinogradKeepsNarrowedExact checks that a narrowed precision (-amp)
// turns Winograd off even where it is forced: the reference numerics of
// SetPrecision round the direct convolution's operands.
func TestWinogradKeepsNarrowedExact(t *testing.T) {
	if winogradConv == nil {
		t.Skip("no Winograd convolution in this build")
	}
	b := New(1)
	b.winograd = winogradAlways
	g := newConvGeom("test", winogradCases[0])
	if !b.useWinograd(g) || !b.useWinogradFilter(g) {
		t.Fatal("Winograd not chosen at fp32")
	}
	for _, p := range []autograd.Precision{autograd.BF16, autograd.TF32} {
		b.SetPrecision(p)
		if b.useWinograd(g) || b.useWinogradFilter(g) {
			t.Errorf("Winograd chosen at precision %v", p)
		}
	}
}
