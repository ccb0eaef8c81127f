package cpu

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// LRN sets scale = k + alpha/size * sum of x^2 over channels
// c-size/2 .. c+(size-1)/2 (missing channels count as zero) and
// y = x * scale^-beta.
func (b *Backend) LRN(p autograd.LRNParams, x, y, scale autograd.Buffer) {
	xv, yv, sv := floats(x), floats(y), floats(scale)
	mustLen("LRN", p.M*p.C, len(xv), len(yv), len(sv))
	coef := float64(p.Alpha) / float64(p.Size)
	b.parallelFor(p.M, rowGrain(p.C*p.Size), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xs, ys, ss := xv[r*p.C:(r+1)*p.C], yv[r*p.C:(r+1)*p.C], sv[r*p.C:(r+1)*p.C]
			for c := range xs {
				var sq float64
				for _, v := range xs[max(c-p.Size/2, 0):min(c+(p.Size-1)/2+1, p.C)] {
					sq += float64(v) * float64(v)
				}
				s := float64(p.K) + coef*sq
				ss[c] = float32(s)
				ys[c] = float32(float64(xs[c]) * math.Pow(s, -float64(p.Beta)))
			}
		}
	})
}

// LRNBackward sets dx[j] = dy[j]*scale[j]^-beta - 2*alpha*beta/size * x[j] *
// sum of dy[c]*y[c]/scale[c] over the channels c whose window holds j,
// i.e. j-(size-1)/2 .. j+size/2.
func (b *Backend) LRNBackward(p autograd.LRNParams, x, y, scale, dy, dx autograd.Buffer) {
	xv, yv, sv, dyv, dxv := floats(x), floats(y), floats(scale), floats(dy), floats(dx)
	mustLen("LRNBackward", p.M*p.C, len(xv), len(yv), len(sv), len(dyv), len(dxv))
	coef := 2 * float64(p.Alpha) * float64(p.Beta) / float64(p.Size)
	b.parallelFor(p.M, rowGrain(p.C*p.Size), func(lo, hi int) {
		t := make([]float64, p.C) // dy*y/scale of one row
		for r := lo; r < hi; r++ {
			row := r * p.C
			xs, ss, ds := xv[row:row+p.C], sv[row:row+p.C], dxv[row:row+p.C]
			gs, ys := dyv[row:row+p.C], yv[row:row+p.C]
			for c := range t {
				t[c] = float64(gs[c]) * float64(ys[c]) / float64(ss[c])
			}
			for j := range ds {
				var acc float64
				for _, v := range t[max(j-(p.Size-1)/2, 0):min(j+p.Size/2+1, p.C)] {
					acc += v
				}
				s := float64(ss[j])
				ds[j] = float32(float64(gs[j])*math.Pow(s, -float64(p.Beta)) - coef*float64(xs[j])*acc)
			}
		}
	})
}
