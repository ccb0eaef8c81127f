//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// poolArgs returns the kernels' trailing POOL_PARAMS.
func poolArgs(p autograd.PoolParams) []any {
	return []any{p.N, p.H, p.W, p.C, p.R, p.S, p.StrideH, p.StrideW, p.PadH, p.PadW, p.P(), p.Q()}
}

// MaxPool2D sets y to the window maxima of x and argmax to their positions
// h*W + w within the image, ties to the first tap in row-major order.
func (b *Backend) MaxPool2D(p autograd.PoolParams, x, y, argmax autograd.Buffer) {
	const op = "MaxPool2D"
	out := p.N * p.P() * p.Q() * p.C
	xd, yd, bf16 := b.activationPair(op, x, p.N*p.H*p.W*p.C, y, out)
	args := append([]any{xd, yd, b.i32(op, argmax, out)}, poolArgs(p)...)
	b.launch1(op, dtypeKernel(bf16, kernels.MaxPool, kernels.MaxPoolBF16), int64(out), args...)
}

// MaxPool2DBackward sets dx to the sum of the dy routed to each element by
// argmax.
func (b *Backend) MaxPool2DBackward(p autograd.PoolParams, dy, argmax, dx autograd.Buffer) {
	const op = "MaxPool2DBackward"
	out, in := p.N*p.P()*p.Q()*p.C, p.N*p.H*p.W*p.C
	args := append([]any{b.f32(op, dy, out), b.i32(op, argmax, out), b.f32(op, dx, in)}, poolArgs(p)...)
	b.launch1(op, kernels.MaxPoolBackward, int64(in), args...)
}

// AvgPool2D sets y to the window means of x.
func (b *Backend) AvgPool2D(p autograd.PoolParams, x, y autograd.Buffer) {
	const op = "AvgPool2D"
	out := p.N * p.P() * p.Q() * p.C
	xd, yd, bf16 := b.activationPair(op, x, p.N*p.H*p.W*p.C, y, out)
	args := append([]any{xd, yd, p.CountIncludePad}, poolArgs(p)...)
	b.launch1(op, dtypeKernel(bf16, kernels.AvgPool, kernels.AvgPoolBF16), int64(out), args...)
}

// AvgPool2DBackward sets dx to the gradient of AvgPool2D.
func (b *Backend) AvgPool2DBackward(p autograd.PoolParams, dy, dx autograd.Buffer) {
	const op = "AvgPool2DBackward"
	out, in := p.N*p.P()*p.Q()*p.C, p.N*p.H*p.W*p.C
	args := append([]any{b.f32(op, dy, out), b.f32(op, dx, in), p.CountIncludePad}, poolArgs(p)...)
	b.launch1(op, kernels.AvgPoolBackward, int64(in), args...)
}

// adaptiveArgs returns the adaptive kernels' trailing ADAPTIVE_PARAMS.
func adaptiveArgs(p autograd.AdaptivePoolParams) []any {
	return []any{p.N, p.H, p.W, p.C, p.OutH, p.OutW}
}

// AdaptiveAvgPool2D sets y to the means of x over p's bins.
func (b *Backend) AdaptiveAvgPool2D(p autograd.AdaptivePoolParams, x, y autograd.Buffer) {
	const op = "AdaptiveAvgPool2D"
	out := p.N * p.OutH * p.OutW * p.C
	xd, yd, bf16 := b.activationPair(op, x, p.N*p.H*p.W*p.C, y, out)
	args := append([]any{xd, yd}, adaptiveArgs(p)...)
	b.launch1(op, dtypeKernel(bf16, kernels.AdaptiveAvgPool, kernels.AdaptiveAvgPoolBF16), int64(out), args...)
}

// AdaptiveAvgPool2DBackward sets dx to the gradient of AdaptiveAvgPool2D.
func (b *Backend) AdaptiveAvgPool2DBackward(p autograd.AdaptivePoolParams, dy, dx autograd.Buffer) {
	const op = "AdaptiveAvgPool2DBackward"
	out, in := p.N*p.OutH*p.OutW*p.C, p.N*p.H*p.W*p.C
	args := append([]any{b.f32(op, dy, out), b.f32(op, dx, in)}, adaptiveArgs(p)...)
	b.launch1(op, kernels.AdaptiveAvgPoolBackward, int64(in), args...)
}
