package cpu

import "github.com/gocnn/gocnn/autograd"

// AdaptiveAvgPool2D sets y to the means of x over p's bins, each summed in
// row-major order.
func (b *Backend) AdaptiveAvgPool2D(p autograd.AdaptivePoolParams, x, y autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.AdaptiveAvgPool2D(p, in[0], out[0])
	}) {
		return
	}
	xv, yv := floats(x), floats(y)
	mustLen("AdaptiveAvgPool2D", p.N*p.H*p.W*p.C, len(xv))
	mustLen("AdaptiveAvgPool2D", p.N*p.OutH*p.OutW*p.C, len(yv))
	// A bin spans fewer than in/out + 2 positions along an axis.
	perRow := p.OutW * (p.H/p.OutH + 2) * (p.W/p.OutW + 2) * p.C
	b.parallelFor(p.N*p.OutH, rowGrain(perRow), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			n, op := row/p.OutH, row%p.OutH
			h0, h1 := p.BinH(op)
			img := xv[n*p.H*p.W*p.C:]
			for oq := range p.OutW {
				w0, w1 := p.BinW(oq)
				out := (row*p.OutW + oq) * p.C
				meanRows(yv[out:out+p.C], img, p.W, p.C, h0, h1, w0, w1, (h1-h0)*(w1-w0))
			}
		}
	})
}

// AdaptiveAvgPool2DBackward sets dx[h, w, c] to the sum, over the bins
// holding (h, w), of dy divided by the bin's size: a gather, so every sum
// has one order whatever the worker count.
func (b *Backend) AdaptiveAvgPool2DBackward(p autograd.AdaptivePoolParams, dy, dx autograd.Buffer) {
	dyv, dxv := floats(dy), floats(dx)
	mustLen("AdaptiveAvgPool2DBackward", p.N*p.OutH*p.OutW*p.C, len(dyv))
	mustLen("AdaptiveAvgPool2DBackward", p.N*p.H*p.W*p.C, len(dxv))
	// An input position lies in fewer than out/in + 2 bins along an axis.
	perRow := p.W * (p.OutH/p.H + 2) * (p.OutW/p.W + 2) * p.C
	b.parallelFor(p.N*p.H, rowGrain(perRow), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			n, h := row/p.H, row%p.H
			p0, p1 := p.CoverH(h)
			for w := range p.W {
				q0, q1 := p.CoverW(w)
				d := dxv[(row*p.W+w)*p.C:][:p.C]
				clear(d)
				for op := p0; op < p1; op++ {
					h0, h1 := p.BinH(op)
					for oq := q0; oq < q1; oq++ {
						w0, w1 := p.BinW(oq)
						out := ((n*p.OutH+op)*p.OutW + oq) * p.C
						inv := 1 / float32((h1-h0)*(w1-w0))
						for c, g := range dyv[out:][:len(d)] {
							d[c] += g * inv
						}
					}
				}
			}
		}
	})
}
