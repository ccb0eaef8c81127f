//go:build !openblas

package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The scalar transforms below are the specification winogradFilter8 and
// winogradFilterGrad8 follow operation for operation.

// transformFilter returns G g G^T for g (3, 3), G = [1 0 0; ½ ½ ½; ½ -½ ½;
// 0 0 1], row-major.
func transformFilter(g *[9]float32) (u [16]float32) {
	var t [12]float32 // G g, (4, 3)
	for j := range 3 {
		g0, g1, g2 := g[j], g[3+j], g[6+j]
		t[j], t[3+j], t[6+j], t[9+j] = g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2
	}
	for i := range 4 {
		t0, t1, t2 := t[3*i], t[3*i+1], t[3*i+2]
		u[4*i], u[4*i+1], u[4*i+2], u[4*i+3] = t0, (t0+t1+t2)/2, (t0-t1+t2)/2, t2
	}
	return u
}

// transformFilterGrad returns G^T m G for m (4, 4), G^T = [1 ½ ½ 0;
// 0 ½ -½ 0; 0 ½ ½ 1], row-major (3, 3): the filter gradient of the
// summed products m.
func transformFilterGrad(m *[16]float32) (w [9]float32) {
	var t [12]float32 // G^T m, (3, 4)
	for j := range 4 {
		m0, m1, m2, m3 := m[j], m[4+j], m[8+j], m[12+j]
		t[j], t[4+j], t[8+j] = m0+(m1+m2)/2, (m1-m2)/2, (m1+m2)/2+m3
	}
	for i := range 3 {
		t0, t1, t2, t3 := t[4*i], t[4*i+1], t[4*i+2], t[4*i+3]
		w[3*i], w[3*i+1], w[3*i+2] = t0+(t1+t2)/2, (t1-t2)/2, (t1+t2)/2+t3
	}
	return w
}

// TestWinogradFilterTransformsMatchScalar checks the vector filter
// transforms against the scalar ones bit for bit, 16 filters a call with
// the elements spread ld apart, on inputs of mixed scales: a changed
// operation or order, a swapped element or a wrong stride fails.
func TestWinogradFilterTransformsMatchScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	const ld = 37 // floats between elements, not a multiple of 8
	for range 50 {
		g := randMixed(rng, 9*nr) // [tap][filter]
		var taps [9]*float32
		for i := range taps {
			taps[i] = &g[i*nr]
		}
		u := make([]float32, 15*ld+nr)
		winogradFilter8(&taps, nr/8, &u[0], 4*ld)
		m := randMixed(rng, 15*ld+nr)
		var out [9][nr]float32
		var outs [9]*float32
		for i := range outs {
			outs[i] = &out[i][0]
		}
		winogradFilterGrad8(&m[0], 4*ld, &outs, nr/8)
		for f := range nr {
			var gf [9]float32
			for i := range gf {
				gf[i] = g[i*nr+f]
			}
			for e, want := range transformFilter(&gf) {
				if got := u[e*ld+f]; math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("filter %d element %d: %g, want %g", f, e, got, want)
				}
			}
			var mf [16]float32
			for e := range mf {
				mf[e] = m[e*ld+f]
			}
			for i, want := range transformFilterGrad(&mf) {
				if got := out[i][f]; math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("filter %d tap %d of the gradient: %g, want %g", f, i, got, want)
				}
			}
		}
	}
}
