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
	return batchNorm("BatchNorm", x, gamma, beta, runMean, runVar, nil, o, false)
}

// BatchNormReLU returns ReLU(Add(BatchNorm(x, ...), residual)), or
// ReLU(BatchNorm(x, ...)) when residual is nil, as one op: the backend
// normalises, adds and clamps in one pass over memory, with the roundings
// of the three separate ops, and its backward masks the gradient by the
// output's positives inside batch norm's own passes. It keeps x and its
// output for the backward, where the three ops would also keep the batch
// norm's and the sum's outputs; the running statistics are updated as
// BatchNorm updates them. residual, when given, has x's shape.
func BatchNormReLU(x, gamma, beta, runMean, runVar, residual *Tensor, o BatchNormOptions) *Tensor {
	return batchNorm("BatchNormReLU", x, gamma, beta, runMean, runVar, residual, o, true)
}

// batchNorm is BatchNorm, with residual (when not nil) added and, with
// relu, max(., 0) taken in the same kernels.
func batchNorm(op string, x, gamma, beta, runMean, runVar, residual *Tensor, o BatchNormOptions, relu bool) *Tensor {
	if residual != nil {
		sameShape(op, x, residual)
	} else {
		sameShape(op, x)
	}
	if len(x.shape) < 2 {
		panic(fmt.Sprintf("autograd: %s of shape %v; want (N, ..., C)", op, x.shape))
	}
	m, c := x.shape.Rows()
	for _, t := range []*Tensor{gamma, beta, runMean, runVar} {
		if !t.shape.Equal(Shape{c}) || t.dev != x.dev || t.DType() != Float32 {
			panic(fmt.Sprintf("autograd: %s of %v with a parameter of %v %v on %s; want (%d) on %s", op, x.shape, t.DType(), t.shape, t.dev.Name(), c, x.dev.Name()))
		}
	}
	if o.Training && m < 2 {
		panic(fmt.Sprintf("autograd: %s training needs more than one value per channel, got shape %v", op, x.shape))
	}
	if o.Momentum == 0 {
		o.Momentum = 0.1
	}
	if o.Eps == 0 {
		o.Eps = 1e-5
	}
	p := NormParams{M: m, C: c, Eps: o.Eps, ReLU: relu}
	be := x.dev.backend
	inputs := []*Tensor{x, gamma, beta}
	if residual != nil {
		inputs = append(inputs, residual)
	}
	acts, dt, done := sameDType(x, residual)
	xBuf, resBuf := acts[0], acts[1]
	y := Empty(x.dev, dt, x.shape...)
	// mean and invStd are what the backward normalised with; in eval mode
	// mean is a copy so that a later update of runMean cannot change it.
	mean := Empty(x.dev, Float32, c)
	invStd := Empty(x.dev, Float32, c)
	if o.Training {
		be.BatchNormTrain(p, xBuf, gamma.buf, beta.buf, resBuf, y.buf, mean.buf, invStd.buf)
		be.BatchNormUpdateRunning(p, o.Momentum, mean.buf, invStd.buf, runMean.buf, runVar.buf)
	} else {
		be.Copy(mean.buf, runMean.buf)
		be.RunningInvStd(p, runVar.buf, invStd.buf)
		be.BatchNormInfer(p, xBuf, gamma.buf, beta.buf, runMean.buf, runVar.buf, resBuf, y.buf)
	}
	done()
	return record(op, y, inputs, func(dy *Tensor) []*Tensor {
		grads := []*Tensor{
			Empty(x.dev, Float32, x.shape...),
			Empty(x.dev, Float32, c),
			Empty(x.dev, Float32, c),
		}
		var dres Buffer
		var mask *Tensor // the fused ReLU's output, whose positives gate dy
		if relu {
			mask = y
		}
		acts, _, done := sameDType(x, mask)
		defer done()
		if residual != nil {
			// The residual's gradient is dy masked by the ReLU (a
			// residual comes only with one).
			if residual.RequiresGrad() {
				grads = append(grads, Empty(x.dev, Float32, x.shape...))
				dres = grads[3].buf
			} else {
				grads = append(grads, nil)
			}
		}
		be.BatchNormBackward(p, o.Training, acts[0], acts[1], dy.buf, gamma.buf, mean.buf, invStd.buf, grads[0].buf, grads[1].buf, grads[2].buf, dres)
		// One kernel yields all of them; drop those no input wants.
		for i, in := range inputs {
			if !in.RequiresGrad() && grads[i] != nil {
				grads[i].Release()
				grads[i] = nil
			}
		}
		return grads
	}, mean, invStd)
}
