package cpu

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// normSums16 and normGradSums16, where the build has them
// (batchnorm_amd64.go), sum 16 channels of batch norm's statistics and of
// its backward pass over a run of rows, each channel's terms in row order
// as the loops they replace add them (the squares and products by fused
// multiply-adds).
// normGradSums16's y, when not nil, masks dy to the rows where y > 0 (the
// fused ReLU's gradient).
var (
	normSums16     func(x *float32, rows, stride int, ref, s, q *float64)
	normGradSums16 func(x, y, dy *float32, rows, stride int, mean *float32, s, q *float64)
)

// normAffine8 and normBackward8, where the build has them, are batch
// norm's elementwise passes, y = x*scale + shift and dx = dy*scale -
// (x - mean)*k - off per channel, over rows of a multiple of 8 channels,
// each with fused multiply-adds. normAffine8 then adds res (when not nil)
// and, with relu, takes max(y, 0), each rounded as Add and ReLU round;
// normBackward8 first masks dy by y > 0 (when y is not nil) and stores the
// masked dy in dres (when not nil).
var (
	normAffine8   func(x, res, y *float32, rows, c int, scale, shift *float32, relu bool)
	normBackward8 func(x, y, dy, dx, dres *float32, rows, c int, mean, scale, k, off *float32)
)

// optFloats is floats for an optional buffer: nil for nil.
func optFloats(b autograd.Buffer) f32 {
	if b == nil {
		return nil
	}
	return floats(b)
}

// at returns &s[i], or nil for a nil s (an absent optional buffer).
func at(s []float32, i int) *float32 {
	if s == nil {
		return nil
	}
	return &s[i]
}

// channelSums runs body over contiguous chunks of the m rows, each chunk
// accumulating into its own k float64 vectors of length c, and returns
// their sums taken in chunk order: deterministic for a given worker count.
func (b *Backend) channelSums(m, c, k int, body func(lo, hi int, acc [][]float64)) [][]float64 {
	chunks := b.chunks(m, rowGrain(c))
	parts := make([][][]float64, chunks)
	b.parallelFor(chunks, 1, func(first, last int) {
		for i := first; i < last; i++ {
			acc := make([][]float64, k)
			for j := range acc {
				acc[j] = make([]float64, c)
			}
			body(i*m/chunks, (i+1)*m/chunks, acc)
			parts[i] = acc
		}
	})
	total := parts[0]
	for _, part := range parts[1:] {
		for j := range total {
			for ch, v := range part[j] {
				total[j][ch] += v
			}
		}
	}
	return total
}

// affineRows sets y[r, c] = x[r, c]*scale[c] + shift[c] for m rows, then
// adds res[r, c] when res is not nil and takes max(y, 0) with relu: the
// roundings of separate Add and ReLU passes, in one pass over memory.
func (b *Backend) affineRows(m int, x, res, y, scale, shift []float32, relu bool) {
	c := len(scale)
	b.parallelFor(m, rowGrain(c), func(lo, hi int) {
		if normAffine8 != nil && c%8 == 0 {
			normAffine8(&x[lo*c], at(res, lo*c), &y[lo*c], hi-lo, c, &scale[0], &shift[0], relu)
			return
		}
		for r := lo; r < hi; r++ {
			xs := x[r*c:][:c]
			ys, scale, shift := y[r*c:][:c], scale[:c], shift[:c]
			for j, v := range xs {
				ys[j] = v*scale[j] + shift[j]
			}
			if res != nil {
				for j, v := range res[r*c:][:c] {
					ys[j] += v
				}
			}
			if relu {
				for j, v := range ys {
					ys[j] = max(v, 0)
				}
			}
		}
	})
}

// normAffine returns the per-channel scale gamma*invStd and shift
// beta - mean*scale that turn batch norm into one multiply-add.
func normAffine(gamma, beta []float32, mean, invStd []float64) (scale, shift []float32) {
	scale, shift = make([]float32, len(gamma)), make([]float32, len(gamma))
	for c, g := range gamma {
		s := float64(g) * invStd[c]
		scale[c] = float32(s)
		shift[c] = float32(float64(beta[c]) - mean[c]*s)
	}
	return scale, shift
}

// BatchNormTrain normalises x with its own per-channel statistics. The
// statistics come from one pass over x that sums, in float64, the
// deviations from the first row (the "shifted data" algorithm): stable
// even when the mean is large against the spread, yet reading x once
// where a two-pass method reads it twice.
func (b *Backend) BatchNormTrain(p autograd.NormParams, x, gamma, beta, residual, y, mean, invStd autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x, residual}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.BatchNormTrain(p, in[0], gamma, beta, in[1], out[0], mean, invStd)
	}) {
		return
	}
	xv, yv, gv, bv, mv, iv := floats(x), floats(y), floats(gamma), floats(beta), floats(mean), floats(invStd)
	rv := optFloats(residual)
	mustLen("BatchNormTrain", p.M*p.C, len(xv), len(yv))
	if rv != nil {
		mustLen("BatchNormTrain", p.M*p.C, len(rv))
	}
	mustLen("BatchNormTrain", p.C, len(gv), len(bv), len(mv), len(iv))
	ref := make([]float64, p.C)
	for j, v := range xv[:p.C] {
		ref[j] = float64(v)
	}
	sums := b.channelSums(p.M, p.C, 2, func(lo, hi int, acc [][]float64) {
		s, q := acc[0][:len(ref)], acc[1][:len(ref)]
		j0 := 0
		if normSums16 != nil && hi > lo {
			for ; j0+16 <= p.C; j0 += 16 {
				normSums16(&xv[lo*p.C+j0], hi-lo, p.C, &ref[j0], &s[j0], &q[j0])
			}
		}
		for r := lo; r < hi; r++ {
			for j, v := range xv[r*p.C:][j0:len(ref)] {
				d := float64(v) - ref[j0+j]
				s[j0+j] += d
				q[j0+j] += d * d
			}
		}
	})
	m := float64(p.M)
	mean64, inv64 := make([]float64, p.C), make([]float64, p.C)
	for j := range p.C {
		d := sums[0][j] / m
		variance := max(sums[1][j]/m-d*d, 0)
		mean64[j] = ref[j] + d
		inv64[j] = 1 / math.Sqrt(variance+float64(p.Eps))
		mv[j], iv[j] = float32(mean64[j]), float32(inv64[j])
	}
	scale, shift := normAffine(gv, bv, mean64, inv64)
	b.affineRows(p.M, xv, rv, yv, scale, shift, p.ReLU)
}

// BatchNormInfer normalises x with the running statistics.
func (b *Backend) BatchNormInfer(p autograd.NormParams, x, gamma, beta, runMean, runVar, residual, y autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x, residual}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.BatchNormInfer(p, in[0], gamma, beta, runMean, runVar, in[1], out[0])
	}) {
		return
	}
	xv, yv, gv, bv, rm, rv := floats(x), floats(y), floats(gamma), floats(beta), floats(runMean), floats(runVar)
	res := optFloats(residual)
	mustLen("BatchNormInfer", p.M*p.C, len(xv), len(yv))
	if res != nil {
		mustLen("BatchNormInfer", p.M*p.C, len(res))
	}
	mustLen("BatchNormInfer", p.C, len(gv), len(bv), len(rm), len(rv))
	mean64, inv64 := make([]float64, p.C), make([]float64, p.C)
	for j := range p.C {
		mean64[j] = float64(rm[j])
		inv64[j] = 1 / math.Sqrt(float64(rv[j])+float64(p.Eps))
	}
	scale, shift := normAffine(gv, bv, mean64, inv64)
	b.affineRows(p.M, xv, res, yv, scale, shift, p.ReLU)
}

// BatchNormBackward sets dbeta = sum dy, dgamma = sum dy*xhat with
// xhat = (x-mean)*invStd, and dx = gamma*invStd*dy, less, with batchStats,
// the projection (dbeta + xhat*dgamma)/M that the batch mean and variance
// carry back to x. With p.ReLU, dy is masked by y > 0 as it is read, in
// both passes, so the ReLU's gradient is never stored (unless dResidual
// asks for it).
func (b *Backend) BatchNormBackward(p autograd.NormParams, batchStats bool, x, y, dy, gamma, mean, invStd, dx, dgamma, dbeta, dResidual autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x, y}, nil, func(in, _ []autograd.Buffer) {
		b.BatchNormBackward(p, batchStats, in[0], in[1], dy, gamma, mean, invStd, dx, dgamma, dbeta, dResidual)
	}) {
		return
	}
	xv, dyv, gv, mv, iv := floats(x), floats(dy), floats(gamma), floats(mean), floats(invStd)
	dxv, dgv, dbv, drv := floats(dx), floats(dgamma), floats(dbeta), optFloats(dResidual)
	var yv f32
	if p.ReLU {
		yv = floats(y)
		mustLen("BatchNormBackward", p.M*p.C, len(yv))
	}
	if drv != nil {
		mustLen("BatchNormBackward", p.M*p.C, len(drv))
	}
	mustLen("BatchNormBackward", p.M*p.C, len(xv), len(dyv), len(dxv))
	mustLen("BatchNormBackward", p.C, len(gv), len(mv), len(iv), len(dgv), len(dbv))
	sums := b.channelSums(p.M, p.C, 2, func(lo, hi int, acc [][]float64) {
		sdy, sdyx, mv := acc[0][:p.C], acc[1][:p.C], mv[:p.C]
		j0 := 0
		if normGradSums16 != nil && hi > lo {
			for ; j0+16 <= p.C; j0 += 16 {
				normGradSums16(&xv[lo*p.C+j0], at(yv, lo*p.C+j0), &dyv[lo*p.C+j0], hi-lo, p.C, &mv[j0], &sdy[j0], &sdyx[j0])
			}
		}
		for r := lo; r < hi; r++ {
			xs := xv[r*p.C:][:p.C]
			for j, g := range dyv[r*p.C:][j0:p.C] {
				if yv != nil {
					g = reluGate(yv[r*p.C+j0+j], g)
				}
				sdy[j0+j] += float64(g)
				sdyx[j0+j] += float64(g) * float64(xs[j0+j]-mv[j0+j])
			}
		}
	})
	// dx = scale*dy - k*(x - mean) - off per channel, where scale =
	// gamma*invStd and, with batchStats, k = scale*invStd^2*mean(dy*(x-mean))
	// and off = scale*mean(dy); x - mean is taken before scaling so that a
	// large mean does not cancel away the spread.
	scale, k, off := make([]float32, p.C), make([]float32, p.C), make([]float32, p.C)
	inv := 1 / float64(p.M)
	for j := range p.C {
		is := float64(iv[j])
		dbv[j] = float32(sums[0][j])
		dgv[j] = float32(sums[1][j] * is)
		s := float64(gv[j]) * is
		scale[j] = float32(s)
		if batchStats {
			k[j] = float32(s * is * is * sums[1][j] * inv)
			off[j] = float32(s * sums[0][j] * inv)
		}
	}
	b.parallelFor(p.M, rowGrain(p.C), func(lo, hi int) {
		if normBackward8 != nil && p.C%8 == 0 {
			normBackward8(&xv[lo*p.C], at(yv, lo*p.C), &dyv[lo*p.C], &dxv[lo*p.C], at(drv, lo*p.C), hi-lo, p.C, &mv[0], &scale[0], &k[0], &off[0])
			return
		}
		for r := lo; r < hi; r++ {
			gs := dyv[r*p.C:][:p.C]
			xs, ds, mv := xv[r*p.C:][:len(gs)], dxv[r*p.C:][:len(gs)], mv[:len(gs)]
			scale, k, off := scale[:len(gs)], k[:len(gs)], off[:len(gs)]
			for j, g := range gs {
				if yv != nil {
					g = reluGate(yv[r*p.C+j], g)
				}
				if drv != nil {
					drv[r*p.C+j] = g
				}
				ds[j] = g*scale[j] - (xs[j]-mv[j])*k[j] - off[j]
			}
		}
	})
}

// BatchNormUpdateRunning blends the batch statistics into the running ones,
// recovering the biased variance as 1/invStd^2 - eps and unbiasing it.
func (b *Backend) BatchNormUpdateRunning(p autograd.NormParams, momentum float32, mean, invStd, runMean, runVar autograd.Buffer) {
	mv, iv, rm, rv := floats(mean), floats(invStd), floats(runMean), floats(runVar)
	mustLen("BatchNormUpdateRunning", p.C, len(mv), len(iv), len(rm), len(rv))
	mom := float64(momentum)
	unbias := float64(p.M) / float64(p.M-1)
	for j := range p.C {
		is := float64(iv[j])
		variance := max(1/(is*is)-float64(p.Eps), 0) * unbias
		rm[j] = float32((1-mom)*float64(rm[j]) + mom*float64(mv[j]))
		rv[j] = float32((1-mom)*float64(rv[j]) + mom*variance)
	}
}

// RunningInvStd sets invStd = 1/sqrt(runVar + eps).
func (b *Backend) RunningInvStd(p autograd.NormParams, runVar, invStd autograd.Buffer) {
	rv, iv := floats(runVar), floats(invStd)
	mustLen("RunningInvStd", p.C, len(rv), len(iv))
	for j, v := range rv {
		iv[j] = float32(1 / math.Sqrt(float64(v)+float64(p.Eps)))
	}
}
