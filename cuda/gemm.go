//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"slices"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// tile is one of gemm_tile.cuh's tile configurations: which variant of
// the tiled kernels it selects, and its shape.
type tile struct {
	kind       kernels.Tile
	bm, bn, bk int
	threads    int
}

var (
	bigTile   = tile{kernels.Big, 128, 128, 8, 256}
	tallTile  = tile{kernels.Tall, 128, 64, 8, 128}
	smallTile = tile{kernels.Small, 64, 64, 16, 256}
	// bf16Tile is the tensor-core tile of -amp bf16 (kernels/mma_tile.cuh).
	bf16Tile = tile{kernels.BF16, 64, 64, 16, 128}
	// tf32Tile is the same tile in TF32, for -amp tf32.
	tf32Tile = tile{kernels.TF32, 64, 64, 16, 128}
	// bf16TallTile and tf32TallTile are their 128x64 forms, for
	// products and convolutions alike.
	bf16TallTile = tile{kernels.BF16Tall, 128, 64, 16, 128}
	tf32TallTile = tile{kernels.TF32Tall, 128, 64, 16, 128}
)

// forcedTile, when not nil, is the tile plan returns whatever the shape:
// tests set it to run every tile's kernels at any size.
var forcedTile *tile

// registerStaged, when true, keeps every launch off the cp.async
// pipelined kernels: tests set it to compare the two paths.
var registerStaged bool

// sumSplits returns the kernel that adds t's split partial products: at
// bf16 and tf32 it rounds the sum, as the unsplit kernels round their
// results.
func (t tile) sumSplits() *kernels.Kernel {
	switch t.kind {
	case kernels.BF16, kernels.BF16Tall:
		return kernels.SumSplitsBF16
	case kernels.TF32, kernels.TF32Tall:
		return kernels.SumSplitsTF32
	}
	return kernels.SumSplits
}

// minSplitSteps is the fewest BK-deep steps a split of a reduction gets:
// shorter splits spend more on their partial products than they save.
const minSplitSteps = 32

// blocks returns the number of blocks t needs for batch (m, n) outputs.
func (t tile) blocks(m, n, batch int) int { return ceilDiv(m, t.bm) * ceilDiv(n, t.bn) * batch }

// work returns the multiply-adds t's blocks perform for batch (m, n, k)
// products, padding included: blocks * bm * bn * (k rounded up to bk);
// with k = 0 (a pass that does not tell plan its reduction), the padded
// output area blocks * bm * bn alone.
func (t tile) work(m, n, k, batch int) int {
	area := t.blocks(m, n, batch) * t.bm * t.bn
	if k == 0 {
		return area
	}
	return area * ceilDiv(k, t.bk) * t.bk
}

// splits returns how many parts t splits a reduction of length k into for
// batch (m, n) products: one unless the output alone gives fewer blocks
// than sms, then about two blocks per SM, each part at least
// minSplitSteps steps.
func (t tile) splits(m, n, k, batch, sms int) int {
	blocks := t.blocks(m, n, batch)
	if blocks >= sms {
		return 1
	}
	return max(1, min(ceilDiv(2*sms, blocks), k/(t.bk*minSplitSteps)))
}

// tiles returns the tiles of the backend's precision, largest first:
// fp32's SIMT tiles (kernels/gemm_tile.cuh), or the tensor-core tiles of
// bf16 or tf32 (kernels/mma_tile.cuh). Every tile has both the product
// and the convolution kernels.
func (b *Backend) tiles() []tile {
	switch b.precision {
	case autograd.BF16:
		return []tile{bf16TallTile, bf16Tile}
	case autograd.TF32:
		return []tile{tf32TallTile, tf32Tile}
	}
	return []tile{bigTile, tallTile, smallTile}
}

// plan picks the tile and the split of a reduction of length k for batch
// (m, n) products, a GEMM's or a convolution pass's (k = 0: a pass that
// never splits). Among the tiles of the precision, a tile fills the
// device when its blocks, times its split, number at least the SMs (one
// wave). plan takes:
//   - among the tiles that fill the device, the one with the least padded
//     work (tile.work: blocks*bm*bn*k rounded up to bk), ties to the
//     larger tile (the earlier in b.tiles);
//   - when none fills it, the one with the most blocks (split included),
//     ties again to the least padded work, then to the larger tile.
//
// So a 64-column product (a 64-channel layer) runs the 128x64 tile, not
// half-empty 128x128 ones; at bf16 and tf32 a product or convolution pass
// the 128x64 tensor-core tile covers with no more padding, in one wave,
// runs it rather than 64x64. A reduction splits only when the output alone
// gives fewer blocks than SMs (tile.splits). The choice depends on the
// shape and the SM count only, so results are reproducible on one kind
// of GPU. chunk is the length of every split but the last.
func (b *Backend) plan(m, n, k, batch int) (t tile, splits, chunk int) {
	tiles := b.tiles()
	if forcedTile != nil {
		if !slices.Contains(tiles, *forcedTile) {
			panic(fmt.Sprintf("cuda: forced tile %v is not one of this precision's tiles", forcedTile.kind))
		}
		t, splits = *forcedTile, forcedTile.splits(m, n, k, batch, b.sms)
	} else {
		t, splits = pickTile(tiles, m, n, k, batch, b.sms)
	}
	chunk = ceilDiv(ceilDiv(k, splits), t.bk) * t.bk
	if splits > 1 {
		splits = ceilDiv(k, chunk)
	} else {
		chunk = k
	}
	return t, splits, chunk
}

// pickTile applies plan's rule to tiles (largest first) and returns the
// tile and its number of splits.
func pickTile(tiles []tile, m, n, k, batch, sms int) (tile, int) {
	best, bestSplits := tiles[0], 0
	var bestFills bool
	var bestBlocks, bestWork int
	for i, t := range tiles {
		splits := t.splits(m, n, k, batch, sms)
		blocks := t.blocks(m, n, batch) * splits
		fills, work := blocks >= sms, t.work(m, n, k, batch)
		better := i == 0
		switch {
		case better:
		case fills != bestFills:
			better = fills
		case !fills && blocks != bestBlocks:
			better = blocks > bestBlocks
		default:
			better = work < bestWork
		}
		if better {
			best, bestSplits, bestFills, bestBlocks, bestWork = t, splits, fills, blocks, work
		}
	}
	return best, bestSplits
}

// gemmOp is a batch of row-major products c = alpha*op(a)*op(b) + beta*c,
// op(a) (m, k), op(b) (k, n); matrix i of each operand starts i strides
// (in elements) after the first.
type gemmOp struct {
	transA, transB bool
	m, n, k, batch int
	a              *buffer
	lda, sa        int
	b              *buffer
	ldb, sb        int
	c              *buffer
	ldc, sc        int
	alpha, beta    float32
}

// gemm queues g at the backend's precision; the caller holds the backend.
// A split reduction writes its partial products to scratch memory and
// sum_splits_f32 (sum_splits_bf16_f32) adds them up in split order.
func (b *Backend) gemm(op string, g gemmOp) {
	if g.m == 0 || g.n == 0 || g.batch == 0 {
		return
	}
	t, splits, chunk := b.plan(g.m, g.n, g.k, g.batch)
	kern := g.kernel(t)
	grid := dim3{ceilDiv(g.m, t.bm), ceilDiv(g.n, t.bn), g.batch * splits}
	block := dim3{t.threads, 1, 1}
	if splits == 1 {
		b.launch(op, kern, grid, block, 0, g.a, g.lda, g.sa, g.b, g.ldb, g.sb, g.c, g.ldc, g.sc, 0,
			g.m, g.n, g.k, 1, chunk, g.alpha, g.beta)
		return
	}
	mn := g.m * g.n
	ws := b.scratch(op, 4*g.batch*splits*mn) // (batch, splits, m, n)
	defer b.release(ws)
	b.launch(op, kern, grid, block, 0, g.a, g.lda, g.sa, g.b, g.ldb, g.sb, ws, g.n, splits*mn, mn,
		g.m, g.n, g.k, splits, chunk, float32(1), float32(0))
	b.launch(op, t.sumSplits(), b.grid1(int64(g.batch*mn)), dim3{threads, 1, 1}, 0,
		ws, splits, g.batch, g.m, g.n, g.c, g.ldc, g.sc, g.alpha, g.beta)
}

// kernel returns g's product kernel on tile t: the cp.async pipelined
// one (kernels/mma_pipe.cuh) where t has one and g's operands allow it
// (pipelined), else the tile's register-staged one.
func (g gemmOp) kernel(t tile) *kernels.Kernel {
	if k := kernels.SgemmPipe(g.transA, g.transB, t.kind); k != nil && !registerStaged && g.pipelined() {
		return k
	}
	return kernels.Sgemm(g.transA, g.transB, t.kind)
}

// pipelined reports whether the pipelined kernels can stage g's operands.
// Each of their copies moves 16 bytes, 4 consecutive elements of a row of
// an operand as stored (along k for a and for a transposed b, along m or
// n otherwise), to a 16-byte aligned address, so every row must start
// 16-byte aligned: both buffers aligned, lda and ldb multiples of 4, and
// in a batch the strides between matrices too (a split starts at a
// multiple of the tile's 16-deep step). The extents need not be: copies
// past them are zero-filled.
func (g gemmOp) pipelined() bool {
	rows := func(buf *buffer, ld, stride int) bool {
		return uintptr(buf.ptr)%16 == 0 && ld%4 == 0 && (g.batch == 1 || stride%4 == 0)
	}
	return rows(g.a, g.lda, g.sa) && rows(g.b, g.ldb, g.sb)
}

// Gemm sets c = alpha*op(a)*op(b) + beta*c for row-major matrices; with
// beta == 0, c is not read. It panics when a size is negative or a buffer
// is too short.
func (b *Backend) Gemm(transA, transB bool, m, n, k int, alpha float32, a, bb autograd.Buffer, beta float32, c autograd.Buffer) {
	const op = "Gemm"
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("cuda: Gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ad, bd, cd := b.dev(op, a, autograd.Float32), b.dev(op, bb, autograd.Float32), b.dev(op, c, autograd.Float32)
	mustHold(op, m*k, ad.n)
	mustHold(op, k*n, bd.n)
	mustHold(op, m*n, cd.n)
	mustIndex32(op, m*k, k*n, m*n)
	if m == 0 || n == 0 {
		return
	}
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	defer b.enter()()
	b.gemm(op, gemmOp{transA: transA, transB: transB, m: m, n: n, k: k, batch: 1,
		a: ad, lda: lda, b: bd, ldb: ldb, c: cd, ldc: n, alpha: alpha, beta: beta})
}

// mustHold panics unless a buffer of got elements holds want.
func mustHold(op string, want, got int) {
	if got < want {
		panic(fmt.Sprintf("cuda: %s: buffer of %d elements, want at least %d", op, got, want))
	}
}

// mustIndex32 panics when a tensor has 2^31 elements or more: the GEMM
// and convolution kernels index within a tensor in 32 bits.
func mustIndex32(op string, lens ...int) {
	for _, n := range lens {
		if n > math.MaxInt32 {
			panic(fmt.Sprintf("cuda: %s: %d elements, more than the kernels index (2^31-1)", op, n))
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
