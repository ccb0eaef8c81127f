//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// convBuffers validates p (including the kernels' index limits) and the
// lengths of x (N, H, W, C), w (K, R, S, C/G) and y (N, P, Q, K),
// panicking on a mismatch, and returns the three device buffers in that
// order.
func (b *Backend) convBuffers(op string, p autograd.ConvParams, x, w, y autograd.Buffer, xt, yt autograd.DType) (*buffer, *buffer, *buffer) {
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("cuda: %s: %v", op, err))
	}
	in, filters, out := p.Sizes()
	mustIndex32(op, in, filters, out)
	if p.H+2*p.PadH >= 1<<15 || p.W+2*p.PadW >= 1<<15 {
		// The implicit GEMMs' gathers hold pixel coordinates, which lie
		// within the padded sides, in 16 bits (kernels/conv_gemm.cuh).
		panic(fmt.Sprintf("cuda: %s: padded input %dx%d, more than the kernels index (2^15-1 a side)", op,
			p.H+2*p.PadH, p.W+2*p.PadW))
	}
	xd, yd := b.dev(op, x, xt), b.dev(op, y, yt)
	mustLen(op, in, xd.n)
	mustLen(op, out, yd.n)
	return xd, b.f32(op, w, filters), yd
}

// depthwiseDType returns the dtype in which a pass takes x: x's own,
// Float32 or BFloat16, when p is depthwise (its kernels read and write
// bf16 activations too), Float32 otherwise.
func depthwiseDType(p autograd.ConvParams, x autograd.Buffer) autograd.DType {
	if p.Depthwise() && x.DType() == autograd.BFloat16 {
		return autograd.BFloat16
	}
	return autograd.Float32
}

// convArgs returns the buffers followed by p as the kernels' trailing
// CONV_PARAMS (conv.cuh), in the order of the table's convGeom
// (kernels/table.go).
func convArgs(p autograd.ConvParams, bufs ...any) []any {
	return append(bufs, p.N, p.H, p.W, p.C, p.K, p.R, p.S, p.StrideH, p.StrideW, p.PadH, p.PadW, p.DilH, p.DilW, p.Groups, p.P(), p.Q())
}

// launchTiled queues pass, one of conv.cu's tiled kernels (conv_bf16.cu's
// and conv_tf32.cu's for the tensor-core tiles), in the variant of tile t for (m, n) outputs per
// group (times splits).
func (b *Backend) launchTiled(op string, pass [kernels.NumTiles]*kernels.Kernel, t tile, m, n, z int, args ...any) {
	grid := dim3{ceilDiv(m, t.bm), ceilDiv(n, t.bn), z}
	b.launch(op, pass[t.kind], grid, dim3{t.threads, 1, 1}, 0, args...)
}

// convPass returns pipe, a convolution pass's cp.async pipelined kernels
// (kernels/mma_pipe.cuh), where convPipelined allows them on tile t, else
// reg, its register-staged ones. a and b are the buffers the pass's
// loaders copy; kMul4 says whether it also copies along K (see
// convPipelined).
func convPass(pipe, reg [kernels.NumTiles]*kernels.Kernel, p autograd.ConvParams, t tile, kMul4 bool, a, b *buffer) [kernels.NumTiles]*kernels.Kernel {
	if convPipelined(pipe, p, t, kMul4, a, b) {
		return pipe
	}
	return reg
}

// convPipelined reports whether a convolution pass may launch pipe, its
// pipelined kernels, on tile t: t has one, registerStaged is off, and
// every 16-byte copy of 4 channels lands aligned and inside one tap. C and
// C/G must be multiples of 4 in every pass (x's rows, every group's first
// channel and every filter row R*S*C/G aligned), K and K/G too when kMul4
// (a pass that copies dy: its rows and groups aligned, no copy straddling
// two taps), and both a and b aligned.
func convPipelined(pipe [kernels.NumTiles]*kernels.Kernel, p autograd.ConvParams, t tile, kMul4 bool, a, b *buffer) bool {
	return pipe[t.kind] != nil && !registerStaged && p.C%4 == 0 && p.Cg()%4 == 0 &&
		(!kMul4 || p.K%4 == 0 && p.Kg()%4 == 0) && uintptr(a.ptr)%16 == 0 && uintptr(b.ptr)%16 == 0
}

// forwardPass returns the forward kernels to launch on tile t (convPass):
// x and w are copied 4 channels of one pixel and tap at a time, so C and
// C/G must be multiples of 4 and K is free. A 3-channel stem, or groups
// of odd width, take the register path. Conv2DBias chooses between its
// own kernels by the same rule.
func forwardPass(p autograd.ConvParams, x, w *buffer, t tile) [kernels.NumTiles]*kernels.Kernel {
	return convPass(kernels.Conv2DForwardPipe, kernels.Conv2DForward, p, t, false, x, w)
}

// backwardDataPass returns the input-gradient kernels to launch on tile t
// (convPass). Its A is dy read along a tap's output channels, its B the
// filters read along a tap's input channels, each copied 4 channels at a
// time: K and K/G multiples of 4 besides C and C/G, and dy and w aligned.
// The output dx is written from registers.
func backwardDataPass(p autograd.ConvParams, dy, w *buffer, t tile) [kernels.NumTiles]*kernels.Kernel {
	return convPass(kernels.Conv2DBackwardDataPipe, kernels.Conv2DBackwardData, p, t, true, dy, w)
}

// backwardFilterPass returns the filter-gradient kernels to launch on
// tile t (convPass). Its A is dy read along the output channels, its B x
// read along a tap's input channels, each copied 4 channels at a time:
// K and K/G multiples of 4 besides C and C/G (every row of dy, every
// group's first channel, and a split's first pixel aligned), and x and dy
// aligned. The output (dw, or a split's partial sums) is written from
// registers and needs nothing.
func backwardFilterPass(p autograd.ConvParams, x, dy *buffer, t tile) [kernels.NumTiles]*kernels.Kernel {
	return convPass(kernels.Conv2DBackwardFilterPipe, kernels.Conv2DBackwardFilter, p, t, true, x, dy)
}

// Conv2D sets y to the cross-correlation of x with w.
// x: (N, H, W, C); w: (K, R, S, C/G); y: (N, P, Q, K).
// It panics when p is invalid or a buffer does not match it.
func (b *Backend) Conv2D(p autograd.ConvParams, x, w, y autograd.Buffer) {
	const op = "Conv2D"
	xt := depthwiseDType(p, x)
	xd, wd, yd := b.convBuffers(op, p, x, w, y, xt, xt)
	cg, kg := p.Cg(), p.Kg()
	defer b.enter()()
	switch {
	case p.Depthwise():
		b.depthwiseForward(op, p, xd, wd, yd)
	case p.Pointwise():
		// Per group: y[:, g] (NHW, Kg) = x[:, g] (NHW, Cg) * w_g^T.
		b.gemm(op, gemmOp{transB: true, m: p.N * p.H * p.W, n: kg, k: cg, batch: p.Groups,
			a: xd, lda: p.C, sa: cg, b: wd, ldb: cg, sb: kg * cg, c: yd, ldc: p.K, sc: kg, alpha: 1})
	default:
		m := p.N * p.P() * p.Q()
		t, _, _ := b.plan(m, kg, 0, p.Groups)
		b.launchTiled(op, forwardPass(p, xd, wd, t), t, m, kg, p.Groups, convArgs(p, xd, wd, yd)...)
	}
}

// Conv2DBias sets y to Conv2D's result plus bias (K), then with relu
// max(., 0), in the implicit-GEMM forward's epilogue (kernels'
// conv2d_forward_bias: after the result's rounding to the precision, the
// add and ReLU of add_bias_f32 and activation_f32, so the bits of the
// three separate launches). A pointwise convolution takes that kernel too
// rather than the GEMM, which has no epilogue, so the forward never
// splits. A depthwise one (no model biases one) runs its kernel, then
// add_bias_f32 and activation_f32 in place.
func (b *Backend) Conv2DBias(p autograd.ConvParams, relu bool, x, w, bias, y autograd.Buffer) {
	const op = "Conv2DBias"
	xd, wd, yd := b.convBuffers(op, p, x, w, y, autograd.Float32, autograd.Float32)
	bd := b.f32(op, bias, p.K)
	defer b.enter()()
	if p.Depthwise() {
		b.depthwiseForward(op, p, xd, wd, yd)
		rows := yd.n / p.K
		b.launch(op, kernels.AddBias, b.grid1(int64(yd.n)), dim3{threads, 1, 1}, 0, yd, bd, yd, rows, p.K)
		if relu {
			b.launch(op, kernels.Activation, b.grid1(int64(yd.n)), dim3{threads, 1, 1}, 0, int(autograd.ActReLU), yd, yd, yd.n)
		}
		return
	}
	m := p.N * p.P() * p.Q()
	t, _, _ := b.plan(m, p.Kg(), 0, p.Groups)
	pass := convPass(kernels.Conv2DForwardBiasPipe, kernels.Conv2DForwardBias, p, t, false, xd, wd)
	b.launchTiled(op, pass, t, m, p.Kg(), p.Groups, convArgs(p, xd, wd, bd, yd, relu)...)
}

// depthwiseForward queues the depthwise forward kernel at the backend's
// precision; the caller holds the backend.
func (b *Backend) depthwiseForward(op string, p autograd.ConvParams, xd, wd, yd *buffer) {
	defer b.narrow(op, yd, &xd, &wd)()
	kern := dtypeKernel(yd.dt == autograd.BFloat16, kernels.DepthwiseForward, kernels.DepthwiseForwardBF16)
	b.launch(op, kern, b.grid1(int64(yd.n)), dim3{threads, 1, 1}, 0, convArgs(p, xd, wd, yd)...)
}

// Conv2DBackwardData sets dx to the gradient of Conv2D with respect to x.
// dy: (N, P, Q, K); w: (K, R, S, C/G); dx: (N, H, W, C).
// It panics when p is invalid or a buffer does not match it.
func (b *Backend) Conv2DBackwardData(p autograd.ConvParams, dy, w, dx autograd.Buffer) {
	const op = "Conv2DBackwardData"
	dxd, wd, dyd := b.convBuffers(op, p, dx, w, dy, autograd.Float32, autograd.Float32)
	cg, kg := p.Cg(), p.Kg()
	defer b.enter()()
	switch {
	case p.Depthwise():
		defer b.narrow(op, dxd, &dyd, &wd)()
		b.launch(op, kernels.DepthwiseBackwardData, b.grid1(int64(dxd.n)), dim3{threads, 1, 1}, 0, convArgs(p, dyd, wd, dxd)...)
	case p.Pointwise():
		// Per group: dx[:, g] (NHW, Cg) = dy[:, g] (NHW, Kg) * w_g (Kg, Cg).
		b.gemm(op, gemmOp{m: p.N * p.H * p.W, n: cg, k: kg, batch: p.Groups,
			a: dyd, lda: p.K, sa: kg, b: wd, ldb: cg, sb: kg * cg, c: dxd, ldc: p.C, sc: cg, alpha: 1})
	default:
		// One GEMM per group and output phase (kernels/conv_phase.cuh), all
		// in one grid whose rows fit the largest phase.
		phases := p.StrideH * p.StrideW
		m := p.N * ceilDiv(p.H, p.StrideH) * ceilDiv(p.W, p.StrideW)
		t, _, _ := b.plan(m, cg, 0, p.Groups*phases)
		b.launchTiled(op, backwardDataPass(p, dyd, wd, t), t, m, cg, p.Groups*phases, convArgs(p, dyd, wd, dxd)...)
	}
}

// Conv2DBackwardFilter sets dw to the gradient of Conv2D with respect to w.
// x: (N, H, W, C); dy: (N, P, Q, K); dw: (K, R, S, C/G).
// It panics when p is invalid or a buffer does not match it.
func (b *Backend) Conv2DBackwardFilter(p autograd.ConvParams, x, dy, dw autograd.Buffer) {
	const op = "Conv2DBackwardFilter"
	xd, dwd, dyd := b.convBuffers(op, p, x, dw, dy, depthwiseDType(p, x), autograd.Float32)
	cg, kg := p.Cg(), p.Kg()
	defer b.enter()()
	switch {
	case p.Depthwise():
		defer b.narrow(op, dwd, &xd, &dyd)()
		b.depthwiseBackwardFilter(p, xd, dyd, dwd)
	case p.Pointwise():
		// Per group: dw_g (Kg, Cg) = dy[:, g]^T (Kg, NHW) * x[:, g] (NHW, Cg).
		b.gemm(op, gemmOp{transA: true, m: kg, n: cg, k: p.N * p.H * p.W, batch: p.Groups,
			a: dyd, lda: p.K, sa: kg, b: xd, ldb: p.C, sb: cg, c: dwd, ldc: cg, sc: kg * cg, alpha: 1})
	default:
		b.implicitBackwardFilter(p, xd, dyd, dwd)
	}
}

// implicitBackwardFilter reduces over the N*P*Q output pixels, split into
// chunks when the filters alone give too few blocks; the splits' partial
// gradients are then summed in split order. Pipelined or not
// (backwardFilterPass), the kernels take the same grid and split.
func (b *Backend) implicitBackwardFilter(p autograd.ConvParams, xd, dyd, dwd *buffer) {
	const op = "Conv2DBackwardFilter"
	m, kg, taps := p.N*p.P()*p.Q(), p.Kg(), p.Taps()
	t, splits, chunk := b.plan(kg, taps, m, p.Groups)
	pass := backwardFilterPass(p, xd, dyd, t)
	if splits == 1 {
		b.launchTiled(op, pass, t, kg, taps, p.Groups, convArgs(p, xd, dyd, dwd, 1, m)...)
		return
	}
	per := kg * taps
	ws := b.scratch(op, 4*p.Groups*splits*per) // (G, splits, Kg, R*S*Cg)
	defer b.release(ws)
	b.launchTiled(op, pass, t, kg, taps, p.Groups*splits, convArgs(p, xd, dyd, ws, splits, chunk)...)
	b.launch(op, t.sumSplits(), b.grid1(int64(p.Groups*per)), dim3{threads, 1, 1}, 0,
		ws, splits, p.Groups, kg, taps, dwd, taps, per, float32(1), float32(0))
}

// depthwiseBackwardFilter sums each filter tap's gradient over bands of
// the N*P*Q output pixels in float64, then the bands in order.
func (b *Backend) depthwiseBackwardFilter(p autograd.ConvParams, xd, dyd, dwd *buffer) {
	const op = "Conv2DBackwardFilter"
	m, rs := p.N*p.P()*p.Q(), p.R*p.S
	colBlocks := ceilDiv(p.K, colsX)
	splits := max(1, min(ceilDiv(m, 64), b.sms*4/(colBlocks*rs)))
	partial := b.scratch(op, 8*splits*dwd.n) // (splits, K, R*S) float64
	defer b.release(partial)
	kern := dtypeKernel(xd.dt == autograd.BFloat16, kernels.DepthwiseBackwardFilterPartial, kernels.DepthwiseBackwardFilterPartialBF16)
	b.launch(op, kern, dim3{colBlocks, splits, rs}, dim3{colsX, colsY, 1}, 0,
		convArgs(p, xd, dyd, partial)...)
	b.launch(op, kernels.DepthwiseBackwardFilterFinish, b.grid1(int64(dwd.n)), dim3{threads, 1, 1}, 0,
		partial, splits, dwd, dwd.n)
}
