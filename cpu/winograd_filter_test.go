package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// winogradFilterBound returns, for each element of the filter gradient
// (K, 3, 3, C) of the 3x3 stride-1 convolution p, given its input x and
// output gradient dy, the bound on |Winograd in float32 - exact| that
// docs/winograd.md derives: gamma(T+9) times
// |G|^T [ sum over the T tiles of (|B|^T |d| |B|) ⊙ (|A| |dY| |A|^T) ] |G|,
// with the matrices of winograd_test.go.
func winogradFilterBound(p autograd.ConvParams, x, dy []float64) []float64 {
	P, Q := p.P(), p.Q()
	tiles := p.N * ((P + 1) / 2) * ((Q + 1) / 2)
	n := float64(tiles + 9)
	u := math.Ldexp(1, -24)
	gamma := n * u / (1 - n*u)
	sum := make([][4][4]float64, p.K*p.C) // the absolute products, (K, C)
	for img := range p.N {
		for p0 := 0; p0 < P; p0 += 2 {
			for q0 := 0; q0 < Q; q0 += 2 {
				vv := make([][4][4]float64, p.C) // |B^T| |d| |B| per channel
				for c := range p.C {
					for i := range 4 {
						for j := range 4 {
							for a := range 4 {
								for b := range 4 {
									h, w := p0-p.PadH+a, q0-p.PadW+b
									if h >= 0 && h < p.H && w >= 0 && w < p.W {
										vv[c][i][j] += math.Abs(winoBT[i][a]) * math.Abs(x[((img*p.H+h)*p.W+w)*p.C+c]) * math.Abs(winoBT[j][b])
									}
								}
							}
						}
					}
				}
				for k := range p.K {
					var zz [4][4]float64 // |A| |dY| |A|^T
					for i := range 4 {
						for j := range 4 {
							for a := range 2 {
								for b := range 2 {
									if p0+a < P && q0+b < Q {
										zz[i][j] += math.Abs(winoAT[a][i]) * math.Abs(dy[((img*P+p0+a)*Q+q0+b)*p.K+k]) * math.Abs(winoAT[b][j])
									}
								}
							}
						}
					}
					for c := range p.C {
						for i := range 4 {
							for j := range 4 {
								sum[k*p.C+c][i][j] += vv[c][i][j] * zz[i][j]
							}
						}
					}
				}
			}
		}
	}
	out := make([]float64, p.K*9*p.C)
	for k := range p.K {
		for c := range p.C {
			for r := range 3 {
				for s := range 3 {
					var acc float64
					for i := range 4 {
						for j := range 4 {
							acc += math.Abs(winoG[i][r]) * sum[k*p.C+c][i][j] * math.Abs(winoG[j][s])
						}
					}
					out[((k*3+r)*3+s)*p.C+c] = gamma * acc
				}
			}
		}
	}
	return out
}

// filterGradRef64 returns the filter gradient of the convolution p in
// float64: the sum over images and output pixels of dy times x.
func filterGradRef64(p autograd.ConvParams, x, dy []float64) []float64 {
	P, Q := p.P(), p.Q()
	dw := make([]float64, p.K*p.R*p.S*p.C)
	for n := range p.N {
		for i := range P {
			for j := range Q {
				forTaps(p, i, j, func(r, s, h, w int) {
					for k := range p.K {
						g := dy[((n*P+i)*Q+j)*p.K+k]
						for c := range p.C {
							dw[((k*p.R+r)*p.S+s)*p.C+c] += g * x[((n*p.H+h)*p.W+w)*p.C+c]
						}
					}
				})
			}
		}
	}
	return dw
}

// winogradFilterCases are winogradCases and one with more tiles than a
// block (two blocks on one worker) and two 16-filter strips.
var winogradFilterCases = append(winogradCases[:len(winogradCases):len(winogradCases)],
	autograd.ConvParams{N: 5, H: 16, W: 14, C: 20, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1})

// TestWinogradFilterErrorBound checks the Winograd filter gradient, in both
// schedules, against a float64 one, element by element, within the
// derived bound, on the geometries of TestWinogradErrorBound (edge tiles,
// channel counts off the kernel's 6 x 16 blocking, paddings 0 to 2), one
// of several blocks of tiles, and inputs of mixed scales, with 1 and 3
// workers; dw starts as NaNs, so an element left unwritten fails.
func TestWinogradFilterErrorBound(t *testing.T) {
	if winogradFilterGrad == nil {
		t.Skip("no Winograd filter gradient in this build")
	}
	rng := rand.New(rand.NewPCG(5, 13))
	for _, p := range winogradFilterCases {
		xn, wn, yn := p.Sizes()
		x, dy := randMixed(rng, xn), randMixed(rng, yn)
		want := filterGradRef64(p, widen(x), widen(dy))
		bound := winogradFilterBound(p, widen(x), widen(dy))
		for _, workers := range []int{1, 3} {
			for schedule, b := range winogradSchedules(workers) {
				if !b.useWinogradFilter(newConvGeom("test", p)) {
					t.Fatalf("%+v: Winograd not chosen", p)
				}
				dw := make([]float32, wn)
				for i := range dw {
					dw[i] = float32(math.NaN())
				}
				b.Conv2DBackwardFilter(p, f32(x), f32(dy), f32(dw))
				checkBound(t, fmt.Sprintf("backward-filter %dx%dx%d->%d pad %d,%d, %d workers, %s", p.H, p.W, p.C, p.K, p.PadH, p.PadW, workers, schedule),
					dw, want, bound)
			}
		}
	}
}
