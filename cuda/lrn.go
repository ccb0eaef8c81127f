//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// LRN applies local response normalisation across channels and stores the
// scale the backward needs. x, y, scale: (M, C).
func (b *Backend) LRN(p autograd.LRNParams, x, y, scale autograd.Buffer) {
	const op = "LRN"
	mc := p.M * p.C
	b.launch1(op, kernels.LRN, int64(mc), b.f32(op, x, mc), b.f32(op, y, mc), b.f32(op, scale, mc),
		p.M, p.C, p.Size, p.Alpha, p.Beta, p.K)
}

// LRNBackward sets dx given the x, y and scale of the forward.
func (b *Backend) LRNBackward(p autograd.LRNParams, x, y, scale, dy, dx autograd.Buffer) {
	const op = "LRNBackward"
	mc := p.M * p.C
	b.launch1(op, kernels.LRNBackward, int64(mc), b.f32(op, x, mc), b.f32(op, y, mc), b.f32(op, scale, mc),
		b.f32(op, dy, mc), b.f32(op, dx, mc), p.M, p.C, p.Size, p.Alpha, p.Beta)
}
