//go:build cuda

package cuda

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
	"github.com/gocnn/gocnn/optim"
	"gorgonia.org/cu"
)

// kernelCase is one micro-benchmark: run queues the op once; bytes is the
// memory it must move at least (reads plus writes), for the GB/s figure
// set against the device's copy bandwidth, and flops the arithmetic of
// the compute-bound ones (convolutions, GEMMs), for a TFLOP/s figure.
// scripts/gpu_bench_torch.py times PyTorch's same op under the same name.
type kernelCase struct {
	name  string
	bytes int64
	run   func()
	flops int64
}

func kernelCases() []kernelCase {
	rng := rand.New(rand.NewPCG(9, 9))
	buf := func(n int) autograd.Buffer {
		v := randn(rng, n)
		d := gpu.Alloc(autograd.Float32, n)
		gpu.WriteFloat32(d, v)
		return d
	}
	labels := func(rows, classes int) autograd.Buffer {
		v := make([]int32, rows)
		for i := range v {
			v[i] = int32(rng.IntN(classes))
		}
		d := gpu.Alloc(autograd.Int32, rows)
		gpu.WriteInt32(d, v)
		return d
	}
	const f = 4 // bytes per float32
	// A ResNet-50 stage-1 activation: (64, 56, 56, 256).
	n := 64 * 56 * 56 * 256
	x, y, dy, dx := buf(n), buf(n), buf(n), buf(n)
	norm := autograd.NormParams{M: 64 * 56 * 56, C: 256, Eps: 1e-5}
	gamma, beta, mean, inv, dg, db := buf(256), buf(256), buf(256), buf(256), buf(256), buf(256)
	gpu.BatchNormTrain(norm, x, gamma, beta, nil, y, mean, inv)
	pool := autograd.PoolParams{N: 64, H: 112, W: 112, C: 64, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
	pin, pout := 64*112*112*64, 64*pool.P()*pool.Q()*64
	px, py, pdy, pdx := buf(pin), buf(pout), buf(pout), buf(pin)
	arg := gpu.Alloc(autograd.Int32, pout)
	gpu.MaxPool2D(pool, px, py, arg)
	// SE on (64, 28, 28, 256).
	se, sec := 64*28*28, 64*256
	sx, sy, sdy, sdx, ss, sds := buf(se*256), buf(se*256), buf(se*256), buf(se*256), buf(sec), buf(sec)
	ce := autograd.CrossEntropyParams{Rows: 256, Classes: 1000, IgnoreIndex: -1, Smoothing: 0.1}
	cx, cp, cdx, cl, loss, dloss := buf(256*1000), buf(256*1000), buf(256*1000), labels(256, 1000), buf(1), buf(1)
	seg := autograd.CrossEntropyParams{Rows: 16 * 256 * 256, Classes: 21, IgnoreIndex: 255}
	gx, gp, gdx, gl := buf(seg.Rows*21), buf(seg.Rows*21), buf(seg.Rows*21), labels(seg.Rows, 21)
	up := autograd.ResizeParams{N: 16, H: 64, W: 64, C: 64, OutH: 128, OutW: 128}
	ux, uy, udy, udx := buf(16*64*64*64), buf(16*128*128*64), buf(16*128*128*64), buf(16*64*64*64)
	// ResNet-50's parameter count.
	pn := 25_557_032
	w, g, m1, m2 := buf(pn), buf(pn), buf(pn), buf(pn)
	lrn := autograd.LRNParams{M: 128 * 55 * 55, C: 96, Size: 5, Alpha: 1e-4, Beta: 0.75, K: 2}
	lx, ly, lsc, ldy, ldx := buf(lrn.M*96), buf(lrn.M*96), buf(lrn.M*96), buf(lrn.M*96), buf(lrn.M*96)
	sum := buf(1)
	nb := int64(n) * f
	cases := []kernelCase{
		{"copy", 2 * nb, func() { gpu.Copy(y, x) }, 0},
		{"add", 3 * nb, func() { gpu.Add(x, dy, y) }, 0},
		{"relu", 2 * nb, func() { gpu.Activation(autograd.ActReLU, x, y) }, 0},
		{"relu_backward", 4 * nb, func() { gpu.ActivationBackward(autograd.ActReLU, x, y, dy, dx) }, 0},
		{"hardswish", 2 * nb, func() { gpu.Activation(autograd.ActHardSwish, x, y) }, 0},
		{"axpby", 3 * nb, func() { gpu.Axpby(0.5, x, 0.9, y) }, 0},
		{"dropout_mask", nb, func() { gpu.DropoutMask(0.5, 42, y) }, 0},
		{"bn_train", 3 * nb, func() { gpu.BatchNormTrain(norm, x, gamma, beta, nil, y, mean, inv) }, 0},
		{"bn_backward", 5 * nb, func() { gpu.BatchNormBackward(norm, true, x, nil, dy, gamma, mean, inv, dx, dg, db, nil) }, 0},
		{"bias_grad", nb, func() { gpu.SumRows(norm.M, norm.C, dy, dg) }, 0},
		{"maxpool3x3s2", int64(pin+2*pout) * f, func() { gpu.MaxPool2D(pool, px, py, arg) }, 0},
		{"maxpool3x3s2_backward", int64(pin+2*pout) * f, func() { gpu.MaxPool2DBackward(pool, pdy, arg, pdx) }, 0},
		{"se_squeeze", int64(se*256+sec) * f, func() { gpu.GlobalAvgPool(64, 28*28, 256, sx, ss) }, 0},
		{"se_scale", int64(2*se*256+sec) * f, func() { gpu.ScaleChannels(64, 28*28, 256, sx, ss, sy) }, 0},
		{"se_scale_backward", int64(3*se*256+2*sec) * f, func() {
			gpu.ScaleChannelsBackward(64, 28*28, 256, sx, ss, sdy, sdx, sds)
		}, 0},
		{"ce_imagenet", 2 * 256 * 1000 * f, func() { gpu.SoftmaxCrossEntropy(ce, cx, cl, cp, loss) }, 0},
		{"ce_imagenet_backward", 2 * 256 * 1000 * f, func() { gpu.SoftmaxCrossEntropyBackward(ce, cp, cl, dloss, cdx) }, 0},
		{"ce_segmentation", int64(2*seg.Rows*21+seg.Rows) * f, func() { gpu.SoftmaxCrossEntropy(seg, gx, gl, gp, loss) }, 0},
		{"ce_segmentation_backward", int64(2*seg.Rows*21+seg.Rows) * f, func() { gpu.SoftmaxCrossEntropyBackward(seg, gp, gl, dloss, gdx) }, 0},
		{"upsample2x", int64(16*64*64*64+16*128*128*64) * f, func() { gpu.Upsample(up, ux, uy) }, 0},
		{"upsample2x_backward", int64(16*64*64*64+16*128*128*64) * f, func() { gpu.UpsampleBackward(up, udy, udx) }, 0},
		{"lrn", int64(3*lrn.M*96) * f, func() { gpu.LRN(lrn, lx, ly, lsc) }, 0},
		{"lrn_backward", int64(5*lrn.M*96) * f, func() { gpu.LRNBackward(lrn, lx, ly, lsc, ldy, ldx) }, 0},
		{"sgd_momentum", int64(5*pn) * f, func() {
			gpu.SGDStep(optim.SGDParams{LR: 0.1, Momentum: 0.9, WeightDecay: 1e-4}, w, g, m1)
		}, 0},
		{"adamw", int64(7*pn) * f, func() {
			gpu.AdamWStep(optim.AdamWParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 3}, w, g, m1, m2)
		}, 0},
		{"grad_norm", int64(pn) * f, func() { gpu.SumSquares(g, sum) }, 0},
	}
	// docs/anchors.md's per-op convolutions (N=64) and ResNet-50's classifier.
	for _, c := range []struct {
		name string
		p    autograd.ConvParams
	}{
		{"conv3x3_c64_56_k64", squareConv(64, 56, 56, 64, 64, 3, 3, 1, 1, 1, 1)},
		{"conv3x3_c256_14_k256", squareConv(64, 14, 14, 256, 256, 3, 3, 1, 1, 1, 1)},
		{"conv1x1_c256_56_k64", squareConv(64, 56, 56, 256, 64, 1, 1, 1, 0, 1, 1)},
		{"conv7x7s2_c3_224_k64", squareConv(64, 224, 224, 3, 64, 7, 7, 2, 3, 1, 1)},
		{"dwconv3x3_c144_56", squareConv(64, 56, 56, 144, 144, 3, 3, 1, 1, 1, 144)},
	} {
		p := c.p
		in, out := p.N*p.H*p.W*p.C, p.N*p.P()*p.Q()*p.K
		x, w, y, dy, dx, dw := buf(in), buf(p.K*p.R*p.S*p.C/p.Groups), buf(out), buf(out), buf(in), buf(p.K*p.R*p.S*p.C/p.Groups)
		fl := 2 * int64(out) * int64(p.R*p.S*p.C/p.Groups)
		cases = append(cases,
			kernelCase{name: c.name, run: func() { gpu.Conv2D(p, x, w, y) }, flops: fl},
			kernelCase{name: c.name + "_backward", run: func() {
				gpu.Conv2DBackwardData(p, dy, w, dx)
				gpu.Conv2DBackwardFilter(p, x, dy, dw)
			}, flops: 2 * fl})
	}
	const rows, in, out = 128, 2048, 1000
	// Its own names: the LRN case's closures read lx, ly, ... when they run.
	fa, fw, fy, fdy, fda, fdw := buf(rows*in), buf(out*in), buf(rows*out), buf(rows*out), buf(rows*in), buf(out*in)
	return append(cases,
		kernelCase{name: "linear_2048_1000", run: func() { gpu.Gemm(false, true, rows, out, in, 1, fa, fw, 0, fy) }, flops: 2 * rows * in * out},
		kernelCase{name: "linear_2048_1000_backward", run: func() {
			gpu.Gemm(false, false, rows, in, out, 1, fdy, fw, 0, fda)
			gpu.Gemm(true, false, out, in, rows, 1, fdy, fa, 0, fdw)
		}, flops: 4 * rows * in * out})
}

// BenchmarkKernels times each kernel case; the GB/s metric is the case's
// minimum traffic over the time, to compare with the "copy" case, and
// TFLOP/s its arithmetic over the time.
func BenchmarkKernels(b *testing.B) {
	for _, c := range kernelCases() {
		b.Run(c.name, func(b *testing.B) {
			c.run()
			gpu.Synchronize()
			b.ResetTimer()
			for range b.N {
				c.run()
			}
			gpu.Synchronize()
			if c.bytes > 0 {
				b.ReportMetric(float64(c.bytes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			}
			if c.flops > 0 {
				b.ReportMetric(float64(c.flops)*float64(b.N)/b.Elapsed().Seconds()/1e12, "TFLOP/s")
			}
		})
	}
}

// BenchmarkCallOverhead compares the two ways of reaching a device's
// context: making it current on the calling thread per call (what the
// backend does) and sending each call to a goroutine locked to a thread
// where it stays current.
func BenchmarkCallOverhead(b *testing.B) {
	one := gpu.Alloc(autograd.Float32, 1)
	defer gpu.Free(one)
	b.Run("context-per-call", func(b *testing.B) {
		for range b.N {
			gpu.Fill(one, 1)
		}
		gpu.Synchronize()
	})
	b.Run("locked-goroutine", func(b *testing.B) {
		calls, done := make(chan struct{}), make(chan struct{})
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			if err := cu.SetCurrentContext(gpu.ctx); err != nil {
				panic(err)
			}
			for range calls {
				gpu.mu.Lock()
				gpu.launch("Fill", kernels.Fill, dim3{1, 1, 1}, dim3{threads, 1, 1}, 0, one, 1, float32(1))
				gpu.mu.Unlock()
				done <- struct{}{}
			}
		}()
		for range b.N {
			calls <- struct{}{}
			<-done
		}
		close(calls)
		gpu.Synchronize()
	})
}
