package autograd

import "fmt"

// BatchNormOptions configures BatchNorm. Zero Momentum and Eps mean
// PyTorch's defaults, 0.1 and 1e-5.
type BatchNormOptions struct {
	// Training normalises with the batch's statistics and updates the
	// running ones; otherwise the running statistics are used.
	Training bool
	Momentum float32
	Eps      float32
}

// BatchNorm normalises x, whose last dimension is channels ((N, H, W, C) or
// (N, C)), per channel and applies gamma and beta (C). runMean and runVar
// (C) are the running statistics, updated in place when training (outside
// autograd, so also under NoGrad, as PyTorch does). Ioffe & Szegedy 2015.
// It panics when the shapes disagree, or when training on a single value
// per channel (its unbiased variance is undefined).
func BatchNorm(x, gamma, beta, runMean, runVar *Tensor, o BatchNormOptions) *Tensor {
	sameShape("BatchNorm", x)
	if len(x.shape) < 2 {
		panic(fmt.Sprintf("autograd: BatchNorm of shape %v; want (N, ..., C)", x.shape))
	}
	m, c := x.shape.Rows()
	for _, t := range []*Tensor{gamma, beta, runMean, runVar} {
		if !t.shape.Equal(Shape{c}) || t.dev != x.dev || t.DType() != Float32 {
			panic(fmt.Sprintf("autograd: BatchNorm of %v with a parameter of %v %v on %s; want (%d) on %s", x.shape, t.DType(), t.shape, t.dev.Name(), c, x.dev.Name()))
		}
	}
	if o.Training && m < 2 {
		panic(fmt.Sprintf("autograd: BatchNorm training needs more than one value per channel, got shape %v", x.shape))
	}
	if o.Momentum == 0 {
		o.Momentum = 0.1
	}
	if o.Eps == 0 {
		o.Eps = 1e-5
	}
	p := NormParams{M: m, C: c, Eps: o.Eps}
	be := x.dev.backend
	y := Empty(x.dev, Float32, x.shape...)
	// mean and invStd are what the backward normalised with; in eval mode
	// mean is a copy so that a later update of runMean cannot change it.
	mean := Empty(x.dev, Float32, c)
	invStd := Empty(x.dev, Float32, c)
	if o.Training {
		be.BatchNormTrain(p, x.buf, gamma.buf, beta.buf, y.buf, mean.buf, invStd.buf)
		be.BatchNormUpdateRunning(p, o.Momentum, mean.buf, invStd.buf, runMean.buf, runVar.buf)
	} else {
		be.Copy(mean.buf, runMean.buf)
		be.RunningInvStd(p, runVar.buf, invStd.buf)
		be.BatchNormInfer(p, x.buf, gamma.buf, beta.buf, runMean.buf, runVar.buf, y.buf)
	}
	inputs := []*Tensor{x, gamma, beta}
	return record("BatchNorm", y, inputs, func(dy *Tensor) []*Tensor {
		grads := []*Tensor{
			Empty(x.dev, Float32, x.shape...),
			Empty(x.dev, Float32, c),
			Empty(x.dev, Float32, c),
		}
		be.BatchNormBackward(p, o.Training, x.buf, dy.buf, gamma.buf, mean.buf, invStd.buf, grads[0].buf, grads[1].buf, grads[2].buf)
		// One kernel yields all three; drop those no input wants.
		for i, in := range inputs {
			if !in.RequiresGrad() {
				grads[i].Release()
				grads[i] = nil
			}
		}
		return grads
	}, mean, invStd)
}
