package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// TestBatchNormPasses checks batch norm's statistics, its backward sums and
// both elementwise passes against float64 ones at channel counts that the
// kernels (16 channels for the sums, 8 for the elementwise passes) cover
// whole (16, 64), with a remainder (40: two 16-channel blocks and 8 more)
// and not at all (7), on row counts that split unevenly over 1 and 3
// workers, with and without the kernels. x has a large mean against its
// spread, as the shifted sums must handle. Each sum is float64 until its
// one rounding to float32, so each must lie within 2^-23 of its magnitude
// (plus 2^-40 of the sum of its terms' magnitudes, for the order of the
// float64 sums).
func TestBatchNormPasses(t *testing.T) {
	sums, gradSums, affine, backward := normSums16, normGradSums16, normAffine8, normBackward8
	defer func() { normSums16, normGradSums16, normAffine8, normBackward8 = sums, gradSums, affine, backward }()
	for _, kernels := range []bool{true, false} {
		if !kernels {
			normSums16, normGradSums16, normAffine8, normBackward8 = nil, nil, nil, nil
		} else if sums == nil {
			continue // the build has no kernels
		}
		for _, c := range []int{16, 40, 64, 7} {
			for _, m := range []int{1, 37, 301} {
				for _, workers := range []int{1, 3} {
					name := fmt.Sprintf("kernels=%v/C=%d/M=%d/workers=%d", kernels, c, m, workers)
					checkBatchNormPasses(t, name, New(workers), c, m)
				}
			}
		}
	}
}

func checkBatchNormPasses(t *testing.T, name string, be *Backend, c, m int) {
	rng := rand.New(rand.NewPCG(uint64(c), uint64(m)))
	x, dy, gamma, beta := make([]float32, m*c), make([]float32, m*c), make([]float32, c), make([]float32, c)
	for i := range x {
		x[i] = float32(5 + rng.NormFloat64()*float64(1+i%c)/8)
		dy[i] = float32(rng.NormFloat64())
	}
	for j := range gamma {
		gamma[j], beta[j] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	p := autograd.NormParams{M: m, C: c, Eps: 1e-5}
	y, mean, invStd := make([]float32, m*c), make([]float32, c), make([]float32, c)
	be.BatchNormTrain(p, f32(x), f32(gamma), f32(beta), nil, f32(y), f32(mean), f32(invStd))
	dx, dgamma, dbeta := make([]float32, m*c), make([]float32, c), make([]float32, c)
	be.BatchNormBackward(p, true, f32(x), nil, f32(dy), f32(gamma), f32(mean), f32(invStd), f32(dx), f32(dgamma), f32(dbeta), nil)
	for j := range c {
		var mu, abs float64
		for r := range m {
			mu += float64(x[r*c+j])
			abs += math.Abs(float64(x[r*c+j]))
		}
		mu /= float64(m)
		var v, sdy, sdyx, absdy, absdyx float64
		for r := range m {
			d := float64(x[r*c+j]) - mu
			v += d * d
			// The backward pass takes x - mean in float32, with the
			// mean it was given.
			xm := float64(x[r*c+j] - mean[j])
			g := float64(dy[r*c+j])
			sdy += g
			sdyx += g * xm
			absdy += math.Abs(g)
			absdyx += math.Abs(g * xm)
		}
		v /= float64(m)
		within(t, name+": mean", j, mean[j], mu, abs/float64(m))
		within(t, name+": invStd", j, invStd[j], 1/math.Sqrt(v+float64(float32(1e-5))), 0)
		within(t, name+": dbeta", j, dbeta[j], sdy, absdy)
		within(t, name+": dgamma", j, dgamma[j], sdyx*float64(invStd[j]), absdyx*float64(invStd[j]))
		// The elementwise passes: y = x*scale + shift and dx = dy*scale -
		// (x - mean)*k - off, each term rounded to float32 a few times.
		is, mf := float64(invStd[j]), float64(mean[j])
		scale := float64(gamma[j]) * is
		k, off := scale*is*is*sdyx/float64(m), scale*sdy/float64(m)
		for r := range m {
			i := r*c + j
			xm := float64(x[i]) - mf
			elementWithin(t, name+": y", i, y[i], xm*scale+float64(beta[j]), math.Abs(float64(x[i])*scale)+math.Abs(mf*scale)+math.Abs(float64(beta[j])))
			g := float64(dy[i])
			elementWithin(t, name+": dx", i, dx[i], g*scale-xm*k-off, math.Abs(g*scale)+math.Abs(xm*k)+math.Abs(off))
		}
	}
}

// elementWithin fails t unless got lies within 2^-21 terms of want, terms
// being the sum of the magnitudes of the float32 terms got is made of.
func elementWithin(t *testing.T, what string, i int, got float32, want, terms float64) {
	t.Helper()
	if d := math.Abs(float64(got) - want); d > 0x1p-21*terms {
		t.Errorf("%s: element %d = %.9g, want %.9g (off by %.3g of its terms)", what, i, got, want, d/terms)
	}
}

// within fails t unless got lies within 2^-23 |want| + 2^-40 terms of want.
func within(t *testing.T, what string, j int, got float32, want, terms float64) {
	t.Helper()
	if d := math.Abs(float64(got) - want); d > 0x1p-23*math.Abs(want)+0x1p-40*terms {
		t.Errorf("%s: channel %d = %.9g, want %.9g (off by %.3g of it)", what, j, got, want, d/math.Abs(want))
	}
}
