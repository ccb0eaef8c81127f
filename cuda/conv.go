//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
)

// convGeom is a validated convolution with its derived sizes.
type convGeom struct {
	autograd.ConvParams
	p, q   int // output height and width
	cg, kg int // channels and filters per group
	taps   int // R*S*Cg, the length of one filter
}

// geom validates p and the lengths of x (N, H, W, C), w (K, R, S, C/G)
// and y (N, P, Q, K), panicking on a mismatch, and returns the three
// device buffers in that order.
func (b *Backend) geom(op string, p autograd.ConvParams, x, w, y autograd.Buffer) (convGeom, *buffer, *buffer, *buffer) {
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("cuda: %s: %v", op, err))
	}
	g := convGeom{ConvParams: p, p: p.P(), q: p.Q(), cg: p.C / p.Groups, kg: p.K / p.Groups}
	g.taps = p.R * p.S * g.cg
	in, filters, out := p.N*p.H*p.W*p.C, p.K*g.taps, p.N*g.p*g.q*p.K
	mustIndex32(op, in, filters, out)
	return g, b.f32(op, x, in), b.f32(op, w, filters), b.f32(op, y, out)
}

// args returns the kernels' trailing CONV_PARAMS (conv.cuh).
func (g convGeom) args() []any {
	return []any{g.N, g.H, g.W, g.C, g.K, g.R, g.S, g.StrideH, g.StrideW, g.PadH, g.PadW, g.DilH, g.DilW, g.Groups, g.p, g.q}
}

// depthwise reports whether each group reads one input channel: the direct
// kernels of depthwise.cu run, since a GEMM would reduce over only R*S.
func (g convGeom) depthwise() bool { return g.cg == 1 }

// pointwise reports whether the convolution is a plain product of NHWC
// rows with the filters, for gemm.cu.
func (g convGeom) pointwise() bool {
	return g.R == 1 && g.S == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0
}

// launchTiled queues conv.cu's kernel pass for (m, n) outputs per group
// (times splits) with the tile t.
func (b *Backend) launchTiled(op, pass string, t tile, m, n, z int, args ...any) {
	grid := dim3{ceilDiv(m, t.bm), ceilDiv(n, t.bn), z}
	b.launch(op, "conv", "conv2d_"+pass+"_"+t.name+"_f32", grid, dim3{t.threads, 1, 1}, 0, args...)
}

// Conv2D sets y to the cross-correlation of x with w.
// x: (N, H, W, C); w: (K, R, S, C/G); y: (N, P, Q, K).
// It panics when p is invalid or a buffer does not match it.
func (b *Backend) Conv2D(p autograd.ConvParams, x, w, y autograd.Buffer) {
	const op = "Conv2D"
	g, xd, wd, yd := b.geom(op, p, x, w, y)
	defer b.enter()()
	switch {
	case g.depthwise():
		b.launch(op, "depthwise", "depthwise_forward_f32", b.grid1(int64(yd.n)), dim3{threads, 1, 1}, 0,
			append([]any{xd, wd, yd}, g.args()...)...)
	case g.pointwise():
		// Per group: y[:, g] (NHW, Kg) = x[:, g] (NHW, Cg) * w_g^T.
		b.gemm(op, gemmOp{transB: true, m: g.N * g.H * g.W, n: g.kg, k: g.cg, batch: g.Groups,
			a: xd, lda: g.C, sa: g.cg, b: wd, ldb: g.cg, sb: g.kg * g.cg, c: yd, ldc: g.K, sc: g.kg, alpha: 1})
	default:
		m := g.N * g.p * g.q
		t, _, _ := b.plan(m, g.kg, 0, g.Groups)
		b.launchTiled(op, "forward", t, m, g.kg, g.Groups, append([]any{xd, wd, yd}, g.args()...)...)
	}
}

// Conv2DBackwardData sets dx to the gradient of Conv2D with respect to x.
// dy: (N, P, Q, K); w: (K, R, S, C/G); dx: (N, H, W, C).
// It panics when p is invalid or a buffer does not match it.
func (b *Backend) Conv2DBackwardData(p autograd.ConvParams, dy, w, dx autograd.Buffer) {
	const op = "Conv2DBackwardData"
	g, dxd, wd, dyd := b.geom(op, p, dx, w, dy)
	defer b.enter()()
	switch {
	case g.depthwise():
		b.launch(op, "depthwise", "depthwise_backward_data_f32", b.grid1(int64(dxd.n)), dim3{threads, 1, 1}, 0,
			append([]any{dyd, wd, dxd}, g.args()...)...)
	case g.pointwise():
		// Per group: dx[:, g] (NHW, Cg) = dy[:, g] (NHW, Kg) * w_g (Kg, Cg).
		b.gemm(op, gemmOp{m: g.N * g.H * g.W, n: g.cg, k: g.kg, batch: g.Groups,
			a: dyd, lda: g.K, sa: g.kg, b: wd, ldb: g.cg, sb: g.kg * g.cg, c: dxd, ldc: g.C, sc: g.cg, alpha: 1})
	default:
		m := g.N * g.H * g.W
		t, _, _ := b.plan(m, g.cg, 0, g.Groups)
		b.launchTiled(op, "backward_data", t, m, g.cg, g.Groups, append([]any{dyd, wd, dxd}, g.args()...)...)
	}
}

// Conv2DBackwardFilter sets dw to the gradient of Conv2D with respect to w.
// x: (N, H, W, C); dy: (N, P, Q, K); dw: (K, R, S, C/G).
// It panics when p is invalid or a buffer does not match it.
func (b *Backend) Conv2DBackwardFilter(p autograd.ConvParams, x, dy, dw autograd.Buffer) {
	const op = "Conv2DBackwardFilter"
	g, xd, dwd, dyd := b.geom(op, p, x, dw, dy)
	defer b.enter()()
	switch {
	case g.depthwise():
		b.depthwiseBackwardFilter(g, xd, dyd, dwd)
	case g.pointwise():
		// Per group: dw_g (Kg, Cg) = dy[:, g]^T (Kg, NHW) * x[:, g] (NHW, Cg).
		b.gemm(op, gemmOp{transA: true, m: g.kg, n: g.cg, k: g.N * g.H * g.W, batch: g.Groups,
			a: dyd, lda: g.K, sa: g.kg, b: xd, ldb: g.C, sb: g.cg, c: dwd, ldc: g.cg, sc: g.kg * g.cg, alpha: 1})
	default:
		b.implicitBackwardFilter(g, xd, dyd, dwd)
	}
}

// implicitBackwardFilter reduces over the N*P*Q output pixels, split into
// chunks when the filters alone give too few blocks; the splits' partial
// gradients are then summed in split order.
func (b *Backend) implicitBackwardFilter(g convGeom, xd, dyd, dwd *buffer) {
	const op = "Conv2DBackwardFilter"
	m := g.N * g.p * g.q
	t, splits, chunk := b.plan(g.kg, g.taps, m, g.Groups)
	args := g.args()
	if splits == 1 {
		b.launchTiled(op, "backward_filter", t, g.kg, g.taps, g.Groups, append([]any{xd, dyd, dwd, 1, m}, args...)...)
		return
	}
	per := g.kg * g.taps
	ws := b.scratch(op, 4*g.Groups*splits*per) // (G, splits, Kg, R*S*Cg)
	defer b.release(ws)
	b.launchTiled(op, "backward_filter", t, g.kg, g.taps, g.Groups*splits, append([]any{xd, dyd, ws, splits, chunk}, args...)...)
	b.launch(op, "gemm", "sum_splits_f32", b.grid1(int64(g.Groups*per)), dim3{threads, 1, 1}, 0,
		ws, splits, g.Groups, g.kg, g.taps, dwd, g.taps, per, float32(1), float32(0))
}

// depthwiseBackwardFilter sums each filter tap's gradient over bands of
// the N*P*Q output pixels in float64, then the bands in order.
func (b *Backend) depthwiseBackwardFilter(g convGeom, xd, dyd, dwd *buffer) {
	const op = "Conv2DBackwardFilter"
	m, rs := g.N*g.p*g.q, g.R*g.S
	colBlocks := ceilDiv(g.K, colsX)
	splits := max(1, min(ceilDiv(m, 64), b.sms*4/(colBlocks*rs)))
	partial := b.scratch(op, 8*splits*dwd.n) // (splits, K, R*S) float64
	defer b.release(partial)
	b.launch(op, "depthwise", "depthwise_backward_filter_partial_f32", dim3{colBlocks, splits, rs}, dim3{colsX, colsY, 1}, 0,
		append([]any{xd, dyd, partial}, g.args()...)...)
	b.launch(op, "depthwise", "depthwise_backward_filter_finish_f32", b.grid1(int64(dwd.n)), dim3{threads, 1, 1}, 0,
		partial, splits, dwd, dwd.n)
}
