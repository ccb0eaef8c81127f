//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// TestCopyAsync checks kernels/cp_async.cuh on its own, through
// kernels.CopyAsync: 64 threads each copy 16 bytes of a 256-float source
// into shared memory first filled with 1e30, reading only the elements
// below n (cp_async16's src-size: 0, 4, 8, 12 or 16 bytes) and
// zero-filling the rest, in two commit groups waited for one at a time.
// The source holds values past n too, so a copy that reads past its
// src-size, or leaves or fills anything but zeros, shows.
func TestCopyAsync(t *testing.T) {
	const op = "CopyAsync"
	rng := rand.New(rand.NewPCG(19, 11))
	src := randn(rng, 256)
	gsrc := upload(t, gpu, src)
	defer gpu.Free(gsrc)
	for _, n := range []int{0, 1, 2, 3, 4, 5, 63, 66, 127, 128, 130, 255, 256} {
		gdst := poisoned(256)
		func() {
			defer gpu.enter()()
			gpu.launch(op, kernels.CopyAsync, dim3{1, 1, 1}, dim3{64, 1, 1}, 0,
				gpu.dev(op, gdst, autograd.Float32), gpu.dev(op, gsrc, autograd.Float32), n)
		}()
		got := download(gpu, gdst)
		gpu.Free(gdst)
		for i, v := range got {
			want := float32(0)
			if i < n {
				want = src[i]
			}
			if v != want {
				t.Errorf("n=%d: element %d = %v, want %v", n, i, v, want)
				break
			}
		}
	}
}

// TestPipelineRule checks the choice between the cp.async pipelined
// kernels and the register-staged ones: products whose operands' rows are
// all 16-byte aligned (lda, ldb and, in a batch, the strides multiples of
// 4; aligned buffers) pipeline on the tensor-core tiles, whatever their
// extents; anything else, and every fp32 tile, does not. Likewise the
// forward convolution with C and C/G multiples of 4, and the input and
// filter gradients with C, C/G, K and K/G multiples of 4.
func TestPipelineRule(t *testing.T) {
	aligned := &buffer{ptr: 1 << 20}
	off := &buffer{ptr: 1<<20 + 4} // a row start 4 bytes past alignment
	for _, c := range []struct {
		name string
		g    gemmOp
		want bool
	}{
		{"36x28x52 nn", gemmOp{m: 36, n: 28, k: 52, batch: 1, a: aligned, lda: 52, b: aligned, ldb: 28}, true},
		{"132x68x300 tn", gemmOp{transA: true, m: 132, n: 68, k: 300, batch: 1, a: aligned, lda: 132, b: aligned, ldb: 68}, true},
		{"ragged k, tn", gemmOp{transA: true, m: 36, n: 28, k: 53, batch: 1, a: aligned, lda: 36, b: aligned, ldb: 28}, true},
		{"37x29x53 nn", gemmOp{m: 37, n: 29, k: 53, batch: 1, a: aligned, lda: 53, b: aligned, ldb: 29}, false},
		{"lda 53", gemmOp{m: 36, n: 28, k: 53, batch: 1, a: aligned, lda: 53, b: aligned, ldb: 28}, false},
		{"36x29x52 nt", gemmOp{transB: true, m: 36, n: 29, k: 52, batch: 1, a: aligned, lda: 52, b: aligned, ldb: 52}, true},
		{"ldb 29 nn", gemmOp{m: 36, n: 29, k: 52, batch: 1, a: aligned, lda: 52, b: aligned, ldb: 29}, false},
		{"batch, sa 6", gemmOp{m: 36, n: 28, k: 6, batch: 2, a: aligned, lda: 12, sa: 6, b: aligned, ldb: 28, sb: 168}, false},
		{"one matrix, sa 6", gemmOp{m: 36, n: 28, k: 6, batch: 1, a: aligned, lda: 12, sa: 6, b: aligned, ldb: 28}, true},
		{"batch, sb 8", gemmOp{m: 36, n: 28, k: 8, batch: 2, a: aligned, lda: 16, sa: 8, b: aligned, ldb: 28, sb: 8}, true},
		{"a misaligned", gemmOp{m: 36, n: 28, k: 52, batch: 1, a: off, lda: 52, b: aligned, ldb: 28}, false},
		{"b misaligned", gemmOp{m: 36, n: 28, k: 52, batch: 1, a: aligned, lda: 52, b: off, ldb: 28}, false},
	} {
		if got := c.g.pipelined(); got != c.want {
			t.Errorf("%s: pipelined = %v, want %v", c.name, got, c.want)
		}
		for _, tl := range []tile{bf16Tile, tf32Tile, bf16TallTile, tf32TallTile, bigTile, tallTile, smallTile} {
			want := kernels.Sgemm(c.g.transA, c.g.transB, tl.kind)
			if pipe := kernels.SgemmPipe(c.g.transA, c.g.transB, tl.kind); c.want && pipe != nil {
				want = pipe
			}
			if got := c.g.kernel(tl); got != want {
				t.Errorf("%s on %v: kernel %s, want %s", c.name, tl.kind, got.Name, want.Name)
			}
		}
	}
	for _, c := range []struct {
		name string
		p    autograd.ConvParams
		x, w *buffer // x: x, or dy (input gradient); w: w, or dy (filter gradient)
		// fwd and filt: whether the forward and the two gradients
		// pipeline.
		fwd, filt bool
	}{
		{"3x3 C=16", squareConv(2, 9, 9, 16, 24, 3, 3, 1, 1, 1, 1), aligned, aligned, true, true},
		{"3x3 C=20", squareConv(2, 11, 11, 20, 40, 3, 3, 2, 1, 1, 1), aligned, aligned, true, true},
		{"groups=2 C/G=4 K/G=6", squareConv(1, 7, 6, 8, 12, 3, 3, 1, 2, 2, 2), aligned, aligned, true, false},
		{"groups=2 C/G=8 K/G=16", squareConv(2, 10, 10, 16, 32, 3, 3, 2, 1, 1, 2), aligned, aligned, true, true},
		{"stem C=3", squareConv(1, 19, 19, 3, 70, 7, 7, 2, 3, 1, 1), aligned, aligned, false, false},
		{"C=5", squareConv(1, 6, 7, 5, 67, 3, 3, 1, 1, 1, 1), aligned, aligned, false, false},
		{"groups=4 C/G=9", squareConv(2, 8, 8, 36, 52, 3, 3, 1, 1, 1, 4), aligned, aligned, false, false},
		{"groups=2 C/G=6", squareConv(2, 8, 8, 12, 8, 3, 3, 1, 1, 1, 2), aligned, aligned, false, false},
		{"K=67", squareConv(2, 9, 9, 16, 67, 3, 3, 1, 1, 1, 1), aligned, aligned, true, false},
		{"groups=2 K/G=6", squareConv(2, 9, 9, 16, 12, 3, 3, 1, 1, 1, 2), aligned, aligned, true, false},
		{"x misaligned", squareConv(2, 9, 9, 16, 24, 3, 3, 1, 1, 1, 1), off, aligned, false, false},
		{"w or dy misaligned", squareConv(2, 9, 9, 16, 24, 3, 3, 1, 1, 1, 1), aligned, off, false, false},
	} {
		for _, tl := range []tile{bf16Tile, tf32Tile, bf16TallTile, tf32TallTile, bigTile, tallTile, smallTile} {
			want := kernels.Conv2DForward[tl.kind]
			if c.fwd && kernels.Conv2DForwardPipe[tl.kind] != nil {
				want = kernels.Conv2DForwardPipe[tl.kind]
			}
			if got := forwardPass(c.p, c.x, c.w, tl)[tl.kind]; got != want {
				t.Errorf("%s on %v: kernel %s, want %s", c.name, tl.kind, got.Name, want.Name)
			}
			want = kernels.Conv2DBackwardFilter[tl.kind]
			if c.filt && kernels.Conv2DBackwardFilterPipe[tl.kind] != nil {
				want = kernels.Conv2DBackwardFilterPipe[tl.kind]
			}
			if got := backwardFilterPass(c.p, c.x, c.w, tl)[tl.kind]; got != want {
				t.Errorf("%s on %v: filter gradient kernel %s, want %s", c.name, tl.kind, got.Name, want.Name)
			}
			// The input gradient's rule is the filter gradient's, with
			// dy (c.x) and w (c.w) in place of x and dy.
			want = kernels.Conv2DBackwardData[tl.kind]
			if c.filt && kernels.Conv2DBackwardDataPipe[tl.kind] != nil {
				want = kernels.Conv2DBackwardDataPipe[tl.kind]
			}
			if got := backwardDataPass(c.p, c.x, c.w, tl)[tl.kind]; got != want {
				t.Errorf("%s on %v: input gradient kernel %s, want %s", c.name, tl.kind, got.Name, want.Name)
			}
		}
	}
}

// TestPipelinedCasesPipeline checks that testGemmTiled's and
// tensorConvCases' shapes include both kinds: products, forward
// convolutions, input and filter gradients that run the pipelined kernels (with
// ragged edges and padding to zero-fill) and ones that fall back, so
// that the tiled tests cover both; and that a pipelined filter gradient
// splits its reduction (on the stand-in's SMs, as the backend plans it).
func TestPipelinedCasesPipeline(t *testing.T) {
	aligned := &buffer{ptr: 1 << 20}
	var pipe, reg []string
	for _, c := range gemmTiledCases {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			g := gemmOp{transA: tr[0], transB: tr[1], m: c.m, n: c.n, k: c.k, batch: 1, a: aligned, lda: c.k, b: aligned, ldb: c.n}
			if tr[0] {
				g.lda = c.m
			}
			if tr[1] {
				g.ldb = c.k
			}
			name := fmt.Sprintf("%dx%dx%d %v", c.m, c.n, c.k, tr)
			if g.pipelined() {
				pipe = append(pipe, name)
			} else {
				reg = append(reg, name)
			}
		}
	}
	var cpipe, creg, fpipe, freg, fsplit, dpipe, dreg []string
	atPrecision(t, autograd.BF16)
	for _, c := range tensorConvCases {
		if c.p.Depthwise() || c.p.Pointwise() {
			continue
		}
		if forwardPass(c.p, aligned, aligned, bf16Tile) == kernels.Conv2DForwardPipe {
			cpipe = append(cpipe, c.name)
		} else {
			creg = append(creg, c.name)
		}
		if backwardDataPass(c.p, aligned, aligned, bf16Tile) == kernels.Conv2DBackwardDataPipe {
			dpipe = append(dpipe, c.name)
		} else {
			dreg = append(dreg, c.name)
		}
		tl, splits, _ := gpu.plan(c.p.Kg(), c.p.Taps(), c.p.N*c.p.P()*c.p.Q(), c.p.Groups)
		if backwardFilterPass(c.p, aligned, aligned, tl) == kernels.Conv2DBackwardFilterPipe {
			fpipe = append(fpipe, c.name)
			if splits > 1 {
				fsplit = append(fsplit, c.name)
			}
		} else {
			freg = append(freg, c.name)
		}
	}
	t.Logf("products pipelined: %v; register-staged: %v", pipe, reg)
	t.Logf("forward convolutions pipelined: %v; register-staged: %v", cpipe, creg)
	t.Logf("filter gradients pipelined: %v (split: %v); register-staged: %v", fpipe, fsplit, freg)
	t.Logf("input gradients pipelined: %v; register-staged: %v", dpipe, dreg)
	if len(pipe) == 0 || len(reg) == 0 || len(cpipe) == 0 || len(creg) == 0 || len(fpipe) == 0 || len(freg) == 0 ||
		len(dpipe) == 0 || len(dreg) == 0 {
		t.Error("the tiled tests do not cover both the pipelined and the register-staged kernels")
	}
	if len(fsplit) == 0 {
		t.Error("no pipelined filter gradient in the tiled tests splits its reduction")
	}
}

// TestPipelineMatchesRegisterPath runs the pipelined products (every
// transpose, ragged edges, a split), forward convolutions (padding,
// groups, ragged reductions; plain and Conv2DBias's bias and ReLU),
// input gradients (strided phases, some empty) and filter gradients (the
// same, and a split reduction with a ragged last split) on both
// tensor-core tiles at bf16 and tf32,
// and again with registerStaged set, and requires the same bits: both
// round each operand once to the format (in registers on the way into
// shared memory, or as fragments are loaded from fp32 stages) and sum in
// the same order.
func TestPipelineMatchesRegisterPath(t *testing.T) {
	defer func() { forcedTile, registerStaged = nil, false }()
	rng := rand.New(rand.NewPCG(19, 13))
	for _, c := range []struct {
		p     autograd.Precision
		tiles []tile
	}{{autograd.BF16, []tile{bf16Tile, bf16TallTile}}, {autograd.TF32, []tile{tf32Tile, tf32TallTile}}} {
		atPrecision(t, c.p)
		for _, tl := range c.tiles {
			forcedTile = &tl
			// both returns onGPU's results on the pipelined path and on
			// the register-staged one.
			both := func(n int, call func(in []autograd.Buffer, out autograd.Buffer), ins ...[]float32) (pipe, reg []float32) {
				registerStaged = false
				pipe = onGPU(t, n, call, ins...)
				registerStaged = true
				reg = onGPU(t, n, call, ins...)
				registerStaged = false
				return pipe, reg
			}
			for _, s := range gemmTiledCases[4:] {
				for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
					a, b := randn(rng, s.m*s.k), randn(rng, s.k*s.n)
					pipe, reg := both(s.m*s.n, func(in []autograd.Buffer, out autograd.Buffer) {
						gpu.Gemm(tr[0], tr[1], s.m, s.n, s.k, 1, in[0], in[1], 0, out)
					}, a, b)
					sameBits(t, fmt.Sprintf("%v %v %dx%dx%d %v", c.p, tl.kind, s.m, s.n, s.k, tr), pipe, reg)
				}
			}
			for _, cc := range tensorConvCases {
				p := cc.p
				if p.Depthwise() || p.Pointwise() {
					continue
				}
				if backwardFilterPass(p, &buffer{}, &buffer{}, tl)[tl.kind] == kernels.Conv2DBackwardFilterPipe[tl.kind] {
					x, dy := randn(rng, p.N*p.H*p.W*p.C), randn(rng, p.N*p.P()*p.Q()*p.K)
					pipe, reg := both(p.K*p.R*p.S*p.Cg(), func(in []autograd.Buffer, out autograd.Buffer) {
						gpu.Conv2DBackwardFilter(p, in[0], in[1], out)
					}, x, dy)
					sameBits(t, fmt.Sprintf("%v %v %s filter gradient", c.p, tl.kind, cc.name), pipe, reg)
				}
				if backwardDataPass(p, &buffer{}, &buffer{}, tl)[tl.kind] == kernels.Conv2DBackwardDataPipe[tl.kind] {
					dy, w := randn(rng, p.N*p.P()*p.Q()*p.K), randn(rng, p.K*p.R*p.S*p.Cg())
					pipe, reg := both(p.N*p.H*p.W*p.C, func(in []autograd.Buffer, out autograd.Buffer) {
						gpu.Conv2DBackwardData(p, in[0], in[1], out)
					}, dy, w)
					sameBits(t, fmt.Sprintf("%v %v %s input gradient", c.p, tl.kind, cc.name), pipe, reg)
				}
				if forwardPass(p, &buffer{}, &buffer{}, tl)[tl.kind] != kernels.Conv2DForwardPipe[tl.kind] {
					continue
				}
				x, w := randn(rng, p.N*p.H*p.W*p.C), randn(rng, p.K*p.R*p.S*p.Cg())
				pipe, reg := both(p.N*p.P()*p.Q()*p.K, func(in []autograd.Buffer, out autograd.Buffer) {
					gpu.Conv2D(p, in[0], in[1], out)
				}, x, w)
				sameBits(t, fmt.Sprintf("%v %v %s forward", c.p, tl.kind, cc.name), pipe, reg)
				bias := randn(rng, p.K)
				pipe, reg = both(p.N*p.P()*p.Q()*p.K, func(in []autograd.Buffer, out autograd.Buffer) {
					gpu.Conv2DBias(p, true, in[0], in[1], in[2], out)
				}, x, w, bias)
				sameBits(t, fmt.Sprintf("%v %v %s forward, bias and ReLU", c.p, tl.kind, cc.name), pipe, reg)
			}
		}
	}
}

// onGPU uploads ins to the GPU, runs call on them and on a poisoned output
// of n elements, and returns that output, every buffer freed.
func onGPU(t *testing.T, n int, call func(in []autograd.Buffer, out autograd.Buffer), ins ...[]float32) []float32 {
	t.Helper()
	bufs := make([]autograd.Buffer, len(ins))
	for i, v := range ins {
		bufs[i] = upload(t, gpu, v)
	}
	out := poisoned(n)
	call(bufs, out)
	res := download(gpu, out)
	for _, buf := range append(bufs, out) {
		gpu.Free(buf)
	}
	return res
}

// sameBits fails unless got and want hold the same bits.
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("%s: element %d = %v on the pipelined path, %v on the register-staged one", what, i, got[i], want[i])
			return
		}
	}
}
