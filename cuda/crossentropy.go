//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// ceWarps is CE_WARPS in crossentropy.cu: rows per block, one warp each.
const ceWarps = 8

// SoftmaxCrossEntropy stores softmax(logits) in probs and sets loss[0] to
// the mean label-smoothed cross-entropy over the rows whose label is not
// p.IgnoreIndex (0 when none is). Unlike the CPU backend it cannot panic
// on a label outside [0, Classes): such a row makes the loss NaN.
func (b *Backend) SoftmaxCrossEntropy(p autograd.CrossEntropyParams, logits, labels, probs, loss autograd.Buffer) {
	const op = "SoftmaxCrossEntropy"
	size := p.Rows * p.Classes
	xd, ld, pd, lossd := b.f32(op, logits, size), b.i32(op, labels, p.Rows), b.f32(op, probs, size), b.f32(op, loss, 1)
	defer b.enter()()
	blocks := max(1, (p.Rows+ceWarps-1)/ceWarps)
	partial := b.scratch(op, 8*2*blocks)
	defer b.release(partial)
	b.launch(op, kernels.CEForward, dim3{blocks, 1, 1}, dim3{32 * ceWarps, 1, 1}, 0,
		xd, ld, pd, partial, p.Rows, p.Classes, p.Smoothing, int(p.IgnoreIndex))
	b.launch(op, kernels.CEFinish, dim3{1, 1, 1}, dim3{1024, 1, 1}, 0, partial, blocks, lossd)
}

// SoftmaxCrossEntropyBackward sets dlogits to dloss[0] times the gradient
// of the mean loss; ignored rows get zeros (rows with a label out of
// range, NaN).
func (b *Backend) SoftmaxCrossEntropyBackward(p autograd.CrossEntropyParams, probs, labels, dloss, dlogits autograd.Buffer) {
	const op = "SoftmaxCrossEntropyBackward"
	size := p.Rows * p.Classes
	pd, ld, dld, dxd := b.f32(op, probs, size), b.i32(op, labels, p.Rows), b.f32(op, dloss, 1), b.f32(op, dlogits, size)
	defer b.enter()()
	partial := b.scratch(op, 8*reduceBlocks+4) // the counts (float64), then the scale
	defer b.release(partial)
	scale := partial.floatAt(2*reduceBlocks, 1)
	b.launch(op, kernels.CECount, dim3{reduceBlocks, 1, 1}, dim3{threads, 1, 1}, 0,
		ld, p.Rows, int(p.IgnoreIndex), partial)
	b.launch(op, kernels.CEScale, dim3{1, 1, 1}, dim3{threads, 1, 1}, 0, partial, reduceBlocks, dld, scale)
	if size > 0 {
		b.launch(op, kernels.CEBackward, b.grid1(int64(size)), dim3{threads, 1, 1}, 0,
			pd, ld, scale, dxd, p.Rows, p.Classes, p.Smoothing, int(p.IgnoreIndex))
	}
}

// TOPK_MAX and TOPK_WARPS in crossentropy.cu: the most k values one call
// counts, and the warps of its one block.
const (
	topkMax   = 8
	topkWarps = 32
)

// TopKCounts sets counts[j] to the number of rows whose label is among the
// j+1 best logits, for j < len(counts) <= 8, in one block: integer counts,
// exact and deterministic.
func (b *Backend) TopKCounts(rows, classes int, logits, labels, counts autograd.Buffer) {
	const op = "TopKCounts"
	xd, ld := b.f32(op, logits, rows*classes), b.i32(op, labels, rows)
	cd := b.dev(op, counts, autograd.Float32)
	if cd.n > topkMax {
		panic(wrap(b, op, "", fmt.Errorf("%d counts, at most %d", cd.n, topkMax)))
	}
	if cd.n == 0 {
		return
	}
	defer b.enter()()
	b.launch(op, kernels.TopKCounts, dim3{1, 1, 1}, dim3{32 * topkWarps, 1, 1}, 0, xd, ld, rows, classes, cd.n, cd)
}
