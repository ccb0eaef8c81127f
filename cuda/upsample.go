//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// Upsample resizes x bilinearly. x: (N, H, W, C); y: (N, OutH, OutW, C).
func (b *Backend) Upsample(p autograd.ResizeParams, x, y autograd.Buffer) {
	const op = "Upsample"
	out := p.N * p.OutH * p.OutW * p.C
	b.launch1(op, kernels.Upsample, int64(out), b.f32(op, x, p.N*p.H*p.W*p.C), b.f32(op, y, out),
		p.N, p.H, p.W, p.C, p.OutH, p.OutW, p.AlignCorners)
}

// UpsampleBackward sets dx to the gradient of Upsample, in two gathering
// passes (along W, then along H) through a (N, OutH, W, C) scratch
// buffer, so every sum has a fixed order.
func (b *Backend) UpsampleBackward(p autograd.ResizeParams, dy, dx autograd.Buffer) {
	const op = "UpsampleBackward"
	in, mid := p.N*p.H*p.W*p.C, p.N*p.OutH*p.W*p.C
	dyd, dxd := b.f32(op, dy, p.N*p.OutH*p.OutW*p.C), b.f32(op, dx, in)
	if in == 0 {
		return
	}
	defer b.enter()()
	s := b.scratch(op, 4*mid)
	defer b.release(s)
	tmp := s.floatAt(0, mid)
	b.launch(op, kernels.UpsampleBackwardW, b.grid1(int64(mid)), dim3{threads, 1, 1}, 0,
		dyd, tmp, p.N, p.W, p.C, p.OutH, p.OutW, p.AlignCorners)
	b.launch(op, kernels.UpsampleBackwardH, b.grid1(int64(in)), dim3{threads, 1, 1}, 0,
		tmp, dxd, p.N, p.H, p.W, p.C, p.OutH, p.AlignCorners)
}
