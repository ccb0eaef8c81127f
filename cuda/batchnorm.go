//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// optF32 is f32 for an optional buffer: nil (a null pointer to a kernel)
// for nil.
func (b *Backend) optF32(op string, buf autograd.Buffer, n int) *buffer {
	if buf == nil {
		return nil
	}
	return b.f32(op, buf, n)
}

// reluMask returns the buffer whose positives mask BatchNormBackward's dy:
// y with p.ReLU, nil (no mask) otherwise.
func reluMask(p autograd.NormParams, y autograd.Buffer) autograd.Buffer {
	if !p.ReLU {
		return nil
	}
	return y
}

// BatchNormTrain normalises x with its own per-channel statistics, summed
// in float64 as deviations from the first row (stable when the mean is
// large against the spread), and stores mean and invStd; the last pass
// adds residual and applies p.ReLU.
func (b *Backend) BatchNormTrain(p autograd.NormParams, x, gamma, beta, residual, y, mean, invStd autograd.Buffer) {
	const op = "BatchNormTrain"
	mc := p.M * p.C
	acts, bf16 := b.activations(op, mc, x, y, residual)
	xd, yd, rd := acts[0], acts[1], acts[2]
	gd, bd, md, id := b.f32(op, gamma, p.C), b.f32(op, beta, p.C), b.f32(op, mean, p.C), b.f32(op, invStd, p.C)
	if mc == 0 {
		return
	}
	defer b.enter()()
	splits := b.columnSplits(p.M, p.C)
	partial := b.scratch(op, 8*2*splits*p.C)
	defer b.release(partial)
	coef := b.scratch(op, 4*2*p.C) // scale and shift
	defer b.release(coef)
	scale, shift := coef.floatAt(0, p.C), coef.floatAt(p.C, p.C)
	b.launch(op, dtypeKernel(bf16, kernels.BNStatsPartial, kernels.BNStatsPartialBF16), b.columnGrid(p.C, splits), dim3{colsX, colsY, 1}, 0,
		xd, p.M, p.C, partial)
	b.launch(op, dtypeKernel(bf16, kernels.BNStatsFinish, kernels.BNStatsFinishBF16), b.grid1(int64(p.C)), dim3{threads, 1, 1}, 0,
		partial, splits, xd, p.M, p.C, p.Eps, gd, bd, md, id, scale, shift)
	b.launch(op, dtypeKernel(bf16, kernels.AffineRows, kernels.AffineRowsBF16), b.grid1(int64(mc)), dim3{threads, 1, 1}, 0, xd, scale, shift, rd, p.ReLU, yd, p.M, p.C)
}

// BatchNormInfer normalises x with the running statistics, then adds
// residual and applies p.ReLU in the same pass.
func (b *Backend) BatchNormInfer(p autograd.NormParams, x, gamma, beta, runMean, runVar, residual, y autograd.Buffer) {
	const op = "BatchNormInfer"
	mc := p.M * p.C
	acts, bf16 := b.activations(op, mc, x, y, residual)
	xd, yd, rd := acts[0], acts[1], acts[2]
	gd, bd := b.f32(op, gamma, p.C), b.f32(op, beta, p.C)
	rm, rv := b.f32(op, runMean, p.C), b.f32(op, runVar, p.C)
	if mc == 0 {
		return
	}
	defer b.enter()()
	coef := b.scratch(op, 4*2*p.C) // scale and shift
	defer b.release(coef)
	scale, shift := coef.floatAt(0, p.C), coef.floatAt(p.C, p.C)
	b.launch(op, kernels.BNInferCoeffs, b.grid1(int64(p.C)), dim3{threads, 1, 1}, 0,
		gd, bd, rm, rv, p.Eps, p.C, scale, shift)
	b.launch(op, dtypeKernel(bf16, kernels.AffineRows, kernels.AffineRowsBF16), b.grid1(int64(mc)), dim3{threads, 1, 1}, 0, xd, scale, shift, rd, p.ReLU, yd, p.M, p.C)
}

// BatchNormBackward sets dbeta = sum dy, dgamma = sum dy*xhat and dx, with
// batchStats including the dependence of mean and invStd on x. With
// p.ReLU both passes mask dy by y > 0 as they read it; dResidual, when not
// nil, receives the masked dy from the last.
func (b *Backend) BatchNormBackward(p autograd.NormParams, batchStats bool, x, y, dy, gamma, mean, invStd, dx, dgamma, dbeta, dResidual autograd.Buffer) {
	const op = "BatchNormBackward"
	mc := p.M * p.C
	acts, bf16 := b.activations(op, mc, x, reluMask(p, y))
	xd, yd := acts[0], acts[1]
	dyd, dxd, drd := b.f32(op, dy, mc), b.f32(op, dx, mc), b.optF32(op, dResidual, mc)
	gd, md, id := b.f32(op, gamma, p.C), b.f32(op, mean, p.C), b.f32(op, invStd, p.C)
	dgd, dbd := b.f32(op, dgamma, p.C), b.f32(op, dbeta, p.C)
	if mc == 0 {
		return
	}
	defer b.enter()()
	splits := b.columnSplits(p.M, p.C)
	partial := b.scratch(op, 8*2*splits*p.C)
	defer b.release(partial)
	coef := b.scratch(op, 4*3*p.C) // (3, C): scale, k, off
	defer b.release(coef)
	b.launch(op, dtypeKernel(bf16, kernels.BNBackwardPartial, kernels.BNBackwardPartialBF16), b.columnGrid(p.C, splits), dim3{colsX, colsY, 1}, 0,
		xd, yd, dyd, md, p.M, p.C, partial)
	b.launch(op, kernels.BNBackwardFinish, b.grid1(int64(p.C)), dim3{threads, 1, 1}, 0,
		partial, splits, p.M, p.C, batchStats, gd, id, dgd, dbd, coef)
	b.launch(op, dtypeKernel(bf16, kernels.BNBackwardApply, kernels.BNBackwardApplyBF16), b.grid1(int64(mc)), dim3{threads, 1, 1}, 0,
		xd, yd, dyd, md, coef, dxd, drd, p.M, p.C)
}

// BatchNormUpdateRunning blends the batch statistics into the running ones
// with the unbiased variance recovered from invStd.
func (b *Backend) BatchNormUpdateRunning(p autograd.NormParams, momentum float32, mean, invStd, runMean, runVar autograd.Buffer) {
	const op = "BatchNormUpdateRunning"
	b.launch1(op, kernels.BNUpdateRunning, int64(p.C),
		b.f32(op, mean, p.C), b.f32(op, invStd, p.C), b.f32(op, runMean, p.C), b.f32(op, runVar, p.C),
		p.M, p.C, p.Eps, momentum)
}

// RunningInvStd sets invStd = 1/sqrt(runVar + eps).
func (b *Backend) RunningInvStd(p autograd.NormParams, runVar, invStd autograd.Buffer) {
	const op = "RunningInvStd"
	b.launch1(op, kernels.RunningInvStd, int64(p.C), b.f32(op, runVar, p.C), b.f32(op, invStd, p.C), p.C, p.Eps)
}
