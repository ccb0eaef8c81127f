//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// AddBias sets y[r, c] = x[r, c] + bias[c]. x, y: (rows, cols); bias: (cols).
func (b *Backend) AddBias(rows, cols int, x, bias, y autograd.Buffer) {
	n := rows * cols
	b.launch1("AddBias", kernels.AddBias, int64(n),
		b.f32("AddBias", x, n), b.f32("AddBias", bias, cols), b.f32("AddBias", y, n), rows, cols)
}

// SumRows sets y[c] to the sum over r of x[r, c], in float64 over fixed
// bands of rows added in order. x: (rows, cols); y: (cols).
func (b *Backend) SumRows(rows, cols int, x, y autograd.Buffer) {
	const op = "SumRows"
	xd, yd := b.f32(op, x, rows*cols), b.f32(op, y, cols)
	if cols == 0 {
		return
	}
	defer b.enter()()
	b.sumRows(op, rows, cols, xd, nil, nil, yd)
}

// BiasReLUBackward sets dx = dy masked by y > 0, as ActivationBackward's
// ReLU masks it, and, when dbias is not nil, dbias to dx's column sums,
// summed as SumRows sums: SumRows's kernels, masking as they read dy.
// y, dy, dx: (rows, cols); dbias: (cols).
func (b *Backend) BiasReLUBackward(rows, cols int, y, dy, dx, dbias autograd.Buffer) {
	const op = "BiasReLUBackward"
	n := rows * cols
	yd, dyd, dxd, dbd := b.f32(op, y, n), b.f32(op, dy, n), b.f32(op, dx, n), b.optF32(op, dbias, cols)
	if cols == 0 {
		return
	}
	defer b.enter()()
	b.sumRows(op, rows, cols, dyd, yd, dxd, dbd)
}

// sumRows queues SumRows of x (rows, cols) into y (nil: no sums), x
// masked by mask's positives into gated on the way when mask is not nil;
// the caller holds the backend.
func (b *Backend) sumRows(op string, rows, cols int, x, mask, gated, y *buffer) {
	splits := b.columnSplits(rows, cols)
	var partial *buffer
	if y != nil {
		partial = b.scratch(op, 8*splits*cols)
		defer b.release(partial)
	}
	b.launch(op, kernels.SumRowsPartial, b.columnGrid(cols, splits), dim3{colsX, colsY, 1}, 0,
		x, mask, gated, rows, cols, partial)
	if y != nil {
		b.launch(op, kernels.SumRowsFinish, b.grid1(int64(cols)), dim3{threads, 1, 1}, 0,
			partial, splits, cols, y)
	}
}

// CopyColumns copies, for each of rows rows, cols elements from
// src[r*srcStride+srcOff:] to dst[r*dstStride+dstOff:], leaving the rest of
// dst as it is.
func (b *Backend) CopyColumns(rows, cols int, src autograd.Buffer, srcStride, srcOff int, dst autograd.Buffer, dstStride, dstOff int) {
	s, d := b.dev("CopyColumns", src, src.DType()), b.dev("CopyColumns", dst, src.DType())
	bf16 := s.dt == autograd.BFloat16
	if !bf16 && s.dt != autograd.Float32 {
		panic(fmt.Sprintf("cuda: CopyColumns of %v", s.dt))
	}
	if rows == 0 || cols == 0 {
		return
	}
	mustAtLeast("CopyColumns src", s.n, (rows-1)*srcStride+srcOff+cols)
	mustAtLeast("CopyColumns dst", d.n, (rows-1)*dstStride+dstOff+cols)
	b.launch1("CopyColumns", dtypeKernel(bf16, kernels.CopyColumns, kernels.CopyColumnsBF16), int64(rows*cols),
		s, srcStride, srcOff, d, dstStride, dstOff, rows, cols)
}

// mustAtLeast panics unless the buffer length n is at least want.
func mustAtLeast(op string, n, want int) {
	if n < want {
		panic(fmt.Sprintf("cuda: %s: buffer of %d elements, need %d", op, n, want))
	}
}
