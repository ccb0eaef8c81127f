package cpu

import "github.com/gocnn/gocnn/autograd"

// convEpilogue is Conv2DBias's epilogue: what each forward path applies to
// a block of its output right after writing it, while the block is still in
// the cache (the direct path's 6x16 tiles, the im2col path's GEMM blocks,
// the Winograd output transform's four pixels, a depthwise row), instead of
// AddBias and Activation passing over the whole output again. convGeom
// carries it; a nil one (Conv2D, the backward passes) does nothing.
type convEpilogue struct {
	bias []float32 // (K)
	relu bool
	// prec is the convolution's precision: its result is rounded to it
	// before the bias is added, as Conv2D's narrow rounds it before
	// AddBias adds in fp32.
	prec autograd.Precision
}

// block applies e to rows rows of cols consecutive channels, the first at
// channel c0, row i at y[i*ld:]: v = round(v) + bias[c], then max(v, 0)
// with relu, the expressions of AddBias and ActReLU's loop.
func (e *convEpilogue) block(y []float32, rows, cols, ld, c0 int) {
	if e == nil {
		return
	}
	bias := e.bias[c0:][:cols]
	for i := range rows {
		row := y[i*ld:][:cols]
		if e.prec != autograd.FP32 {
			for j, v := range row {
				row[j] = e.prec.Round(v)
			}
		}
		if e.relu {
			for j, v := range row {
				row[j] = max(v+bias[j], 0)
			}
		} else {
			for j, v := range row {
				row[j] = v + bias[j]
			}
		}
	}
}

// Conv2DBias sets y to Conv2D's result plus bias, then with relu max(., 0),
// in the epilogue of whichever path computes the convolution (see
// convEpilogue): the bits of Conv2D, AddBias and Activation(ActReLU).
// x: (N, H, W, C); w: (K, R, S, C/G); bias: (K); y: (N, P, Q, K).
func (b *Backend) Conv2DBias(p autograd.ConvParams, relu bool, x, w, bias, y autograd.Buffer) {
	bv := floats(bias)
	mustLen("Conv2DBias bias", p.K, len(bv))
	b.conv2D("Conv2DBias", p, x, w, y, &convEpilogue{bias: bv, relu: relu, prec: b.precision})
}

// BiasReLUBackward sets dx = dy where y > 0 and +0 elsewhere (reluGate,
// as ActivationBackward's ReLU), and, when dbias is not nil, dbias to the
// column sums of dx, summed as SumRows sums: one pass for the two.
// y, dy, dx: (rows, cols); dbias: (cols).
func (b *Backend) BiasReLUBackward(rows, cols int, y, dy, dx, dbias autograd.Buffer) {
	yv, dyv, dxv := floats(y), floats(dy), floats(dx)
	mustLen("BiasReLUBackward", rows*cols, len(yv), len(dyv), len(dxv))
	var dbv []float32
	if dbias != nil {
		dbv = floats(dbias)
		mustLen("BiasReLUBackward dbias", cols, len(dbv))
	}
	b.sumRows(rows, cols, dyv, yv, dxv, dbv)
}
