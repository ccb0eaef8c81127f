//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
	"gorgonia.org/cu"
)

// reduceBlocks is the fixed grid of the whole-buffer reductions: the
// partial sums, and so the result, depend only on the input.
const reduceBlocks = 512

// Sum sets y[0] to the sum of x, accumulated in float64.
func (b *Backend) Sum(x, y autograd.Buffer) { b.sum("Sum", x, y, false) }

// SumSquares sets y[0] to the sum of x[i]^2, accumulated in float64.
func (b *Backend) SumSquares(x, y autograd.Buffer) { b.sum("SumSquares", x, y, true) }

func (b *Backend) sum(op string, x, y autograd.Buffer, squares bool) {
	xd := b.dev(op, x, autograd.Float32)
	yd := b.f32(op, y, 1)
	defer b.enter()()
	partial := b.scratch(op, 8*reduceBlocks)
	defer b.release(partial)
	b.launch(op, kernels.SumPartial, dim3{reduceBlocks, 1, 1}, dim3{threads, 1, 1}, 0,
		xd, xd.n, squares, partial)
	b.launch(op, kernels.SumFinish, dim3{1, 1, 1}, dim3{threads, 1, 1}, 0, partial, reduceBlocks, yd)
}

// scratch returns a temporary device block of at least bytes (> 0) for
// kernels' partial results; its Len and DType do not describe it (floatAt
// carves typed views). The caller holds the backend and gives it back with
// release once the kernels using it are queued: stream order keeps it
// valid for them.
func (b *Backend) scratch(op string, bytes int) *buffer {
	p, class, err := b.alloc.get(int64(bytes))
	if err != nil {
		panic(wrap(b, op, "scratch", err))
	}
	return &buffer{ptr: p, class: class, owner: b}
}

func (b *Backend) release(s *buffer) { b.alloc.put(s.ptr, s.class) }

// floatAt returns a view of n float32 values of s starting at float32
// offset off, for kernels that take several per-channel arrays carved
// from one scratch block.
func (s *buffer) floatAt(off, n int) *buffer {
	return &buffer{ptr: s.ptr + cu.DevicePtr(4*off), n: n, dt: autograd.Float32, owner: s.owner}
}

// columnSplits returns how many bands of rows a column reduction over
// (rows, cols) splits into: enough blocks to fill the device, each band at
// least 64 rows.
func (b *Backend) columnSplits(rows, cols int) int {
	colBlocks := (cols + colsX - 1) / colsX
	return max(1, min((rows+63)/64, b.sms*4/colBlocks))
}

// The column-reduction block shape, COLS_X by COLS_Y in common.cuh.
const (
	colsX = 32
	colsY = 8
)

func (b *Backend) columnGrid(cols, splits int) dim3 {
	return dim3{(cols + colsX - 1) / colsX, splits, 1}
}
