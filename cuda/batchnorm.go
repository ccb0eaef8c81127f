//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// BatchNormTrain normalises x with its own per-channel statistics, summed
// in float64 as deviations from the first row (stable when the mean is
// large against the spread), and stores mean and invStd.
func (b *Backend) BatchNormTrain(p autograd.NormParams, x, gamma, beta, y, mean, invStd autograd.Buffer) {
	const op = "BatchNormTrain"
	mc := p.M * p.C
	xd, yd := b.f32(op, x, mc), b.f32(op, y, mc)
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
	b.launch(op, kernels.BNStatsPartial, b.columnGrid(p.C, splits), dim3{colsX, colsY, 1}, 0,
		xd, p.M, p.C, partial)
	b.launch(op, kernels.BNStatsFinish, b.grid1(int64(p.C)), dim3{threads, 1, 1}, 0,
		partial, splits, xd, p.M, p.C, p.Eps, gd, bd, md, id, scale, shift)
	b.launch(op, kernels.AffineRows, b.grid1(int64(mc)), dim3{threads, 1, 1}, 0, xd, scale, shift, yd, p.M, p.C)
}

// BatchNormInfer normalises x with the running statistics.
func (b *Backend) BatchNormInfer(p autograd.NormParams, x, gamma, beta, runMean, runVar, y autograd.Buffer) {
	const op = "BatchNormInfer"
	mc := p.M * p.C
	xd, yd := b.f32(op, x, mc), b.f32(op, y, mc)
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
	b.launch(op, kernels.AffineRows, b.grid1(int64(mc)), dim3{threads, 1, 1}, 0, xd, scale, shift, yd, p.M, p.C)
}

// BatchNormBackward sets dbeta = sum dy, dgamma = sum dy*xhat and dx, with
// batchStats including the dependence of mean and invStd on x.
func (b *Backend) BatchNormBackward(p autograd.NormParams, batchStats bool, x, dy, gamma, mean, invStd, dx, dgamma, dbeta autograd.Buffer) {
	const op = "BatchNormBackward"
	mc := p.M * p.C
	xd, dyd, dxd := b.f32(op, x, mc), b.f32(op, dy, mc), b.f32(op, dx, mc)
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
	b.launch(op, kernels.BNBackwardPartial, b.columnGrid(p.C, splits), dim3{colsX, colsY, 1}, 0,
		xd, dyd, md, p.M, p.C, partial)
	b.launch(op, kernels.BNBackwardFinish, b.grid1(int64(p.C)), dim3{threads, 1, 1}, 0,
		partial, splits, p.M, p.C, batchStats, gd, id, dgd, dbd, coef)
	b.launch(op, kernels.BNBackwardApply, b.grid1(int64(mc)), dim3{threads, 1, 1}, 0,
		xd, dyd, md, coef, dxd, p.M, p.C)
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
