package cpu

import "github.com/gocnn/gocnn/autograd"

// tap is one output coordinate's two source indices along an axis and
// their weights.
type tap struct {
	i0, i1 int
	w0, w1 float32
}

// bilinearTaps returns the taps of the out coordinates sampling an axis of
// in elements, with PyTorch's source coordinates: dst*(in-1)/(out-1) when
// alignCorners, else (dst+0.5)*in/out - 0.5 clamped at 0.
func bilinearTaps(in, out int, alignCorners bool) []tap {
	taps := make([]tap, out)
	for d := range taps {
		var src float64
		switch {
		case alignCorners && out > 1:
			src = float64(d) * float64(in-1) / float64(out-1)
		case !alignCorners:
			src = max((float64(d)+0.5)*float64(in)/float64(out)-0.5, 0)
		}
		i0 := min(int(src), in-1)
		i1 := min(i0+1, in-1)
		l1 := float32(src - float64(i0))
		taps[d] = tap{i0: i0, i1: i1, w0: 1 - l1, w1: l1}
	}
	return taps
}

// Upsample resizes x bilinearly. x: (N, H, W, C); y: (N, OutH, OutW, C).
func (b *Backend) Upsample(p autograd.ResizeParams, x, y autograd.Buffer) {
	xv, yv := floats(x), floats(y)
	mustLen("Upsample x", p.N*p.H*p.W*p.C, len(xv))
	mustLen("Upsample y", p.N*p.OutH*p.OutW*p.C, len(yv))
	th, tw := bilinearTaps(p.H, p.OutH, p.AlignCorners), bilinearTaps(p.W, p.OutW, p.AlignCorners)
	c := p.C
	b.parallelFor(p.N*p.OutH, rowGrain(p.OutW*c), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			n, h := row/p.OutH, th[row%p.OutH]
			r0, r1 := xv[(n*p.H+h.i0)*p.W*c:], xv[(n*p.H+h.i1)*p.W*c:]
			for ow, w := range tw {
				out := yv[(row*p.OutW+ow)*c:][:c]
				a0, a1 := w.i0*c, w.i1*c
				for j := range out {
					out[j] = h.w0*(w.w0*r0[a0+j]+w.w1*r0[a1+j]) + h.w1*(w.w0*r1[a0+j]+w.w1*r1[a1+j])
				}
			}
		}
	})
}

// UpsampleBackward sets dx to the gradient of Upsample: each dy scattered
// to its four taps. Workers own disjoint (image, channel) ranges and visit
// dy in one fixed order, so every dx element is summed in the same order
// whatever the worker count. dy: (N, OutH, OutW, C); dx: (N, H, W, C).
func (b *Backend) UpsampleBackward(p autograd.ResizeParams, dy, dx autograd.Buffer) {
	dyv, dxv := floats(dy), floats(dx)
	mustLen("UpsampleBackward dx", p.N*p.H*p.W*p.C, len(dxv))
	mustLen("UpsampleBackward dy", p.N*p.OutH*p.OutW*p.C, len(dyv))
	th, tw := bilinearTaps(p.H, p.OutH, p.AlignCorners), bilinearTaps(p.W, p.OutW, p.AlignCorners)
	c := p.C
	grain := max(1, elementGrain/max(p.OutH*p.OutW, 1))
	b.parallelFor(p.N*c, grain, func(lo, hi int) {
		for n := lo / c; n*c < hi; n++ {
			c0, c1 := max(lo-n*c, 0), min(hi-n*c, c)
			img := dxv[n*p.H*p.W*c : (n+1)*p.H*p.W*c]
			for i := 0; i < len(img); i += c {
				clear(img[i+c0 : i+c1])
			}
			for oh, h := range th {
				r0, r1 := img[h.i0*p.W*c:], img[h.i1*p.W*c:]
				for ow, w := range tw {
					g := dyv[((n*p.OutH+oh)*p.OutW+ow)*c:]
					a0, a1 := w.i0*c, w.i1*c
					for j := c0; j < c1; j++ {
						v := g[j]
						r0[a0+j] += h.w0 * w.w0 * v
						r0[a1+j] += h.w0 * w.w1 * v
						r1[a0+j] += h.w1 * w.w0 * v
						r1[a1+j] += h.w1 * w.w1 * v
					}
				}
			}
		}
	})
}
