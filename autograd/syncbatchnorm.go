package autograd

import "fmt"

// ChannelSum replaces a per-channel Float32 buffer by its sum over every
// device of a synchronised batch norm, in place, ordered on the device
// after the work queued before it and before the work queued after it.
// Each device's goroutine calls it at the same point of its forward or
// backward pass; it panics when the devices cannot agree (a device that
// failed or never arrives).
type ChannelSum func(buf Buffer)

// SyncBatchNorm is BatchNorm in training mode with the statistics of the
// whole batch over ranks devices, each holding a batch of x's shape
// (PyTorch's SyncBatchNorm): per channel, the sum of x is added over the
// devices by sum, then the sum of its squared deviations from the mean so
// found (two passes, which keep the variance accurate where the mean is
// large). The running statistics are updated with them, as one device
// with the whole batch would update its own. Its backward adds the two
// per-channel reductions the gradient of x needs (of dy and of dy times
// the normalised x) over the devices, so that x's gradient is that of
// the devices' losses summed, as for every other input of the data
// parallel model; gamma's and beta's gradients are the device's own, which
// the gradient all-reduce then averages.
func SyncBatchNorm(x, gamma, beta, runMean, runVar *Tensor, o BatchNormOptions, ranks int, sum ChannelSum) *Tensor {
	sameShape("SyncBatchNorm", x)
	in := x
	x = ToFloat32(x) // kept whole for the backward: rare enough to spend the memory
	if len(x.shape) < 2 || ranks < 1 {
		panic(fmt.Sprintf("autograd: SyncBatchNorm of shape %v over %d devices; want (N, ..., C) over at least one", x.shape, ranks))
	}
	m, c := x.shape.Rows()
	for _, t := range []*Tensor{gamma, beta, runMean, runVar} {
		if !t.shape.Equal(Shape{c}) || t.dev != x.dev || t.DType() != Float32 {
			panic(fmt.Sprintf("autograd: SyncBatchNorm of %v with a parameter of %v %v on %s; want (%d) on %s", x.shape, t.DType(), t.shape, t.dev.Name(), c, x.dev.Name()))
		}
	}
	if m*ranks < 2 {
		panic(fmt.Sprintf("autograd: SyncBatchNorm training needs more than one value per channel, got shape %v on %d device(s)", x.shape, ranks))
	}
	if o.Momentum == 0 {
		o.Momentum = 0.1
	}
	if o.Eps == 0 {
		o.Eps = 1e-5
	}
	local, whole := NormParams{M: m, C: c, Eps: o.Eps}, NormParams{M: m * ranks, C: c, Eps: o.Eps}
	be := x.dev.backend
	inv := 1 / float32(whole.M)

	mean := channelSums(x, m, c, nil, sum)
	be.Axpby(inv, mean.buf, 0, mean.buf)
	variance := channelSums(x, m, c, mean, sum)
	be.Axpby(inv, variance.buf, 0, variance.buf) // biased, as BatchNormTrain's
	invStd := Empty(x.dev, Float32, c)
	be.RunningInvStd(whole, variance.buf, invStd.buf)
	y := Empty(x.dev, Float32, x.shape...)
	be.BatchNormInfer(local, x.buf, gamma.buf, beta.buf, mean.buf, variance.buf, nil, y.buf)
	be.BatchNormUpdateRunning(whole, o.Momentum, mean.buf, invStd.buf, runMean.buf, runVar.buf)
	variance.Release()
	y = promoted(y, in)

	inputs := []*Tensor{x, gamma, beta}
	return record("SyncBatchNorm", y, inputs, func(dy *Tensor) []*Tensor {
		dx, dgamma, dbeta := Empty(x.dev, Float32, x.shape...), Empty(x.dev, Float32, c), Empty(x.dev, Float32, c)
		// With constant statistics: dx = dy*gamma*invStd, and the device's
		// own sums of dy*xhat and dy, which are gamma's and beta's
		// gradients.
		be.BatchNormBackward(local, false, x.buf, nil, dy.buf, gamma.buf, mean.buf, invStd.buf, dx.buf, dgamma.buf, dbeta.buf, nil)
		syncBatchNormDx(x, dx, gamma, mean, invStd, dgamma, dbeta, whole, sum)
		grads := []*Tensor{dx, dgamma, dbeta}
		for i, in := range inputs {
			if !in.RequiresGrad() {
				grads[i].Release()
				grads[i] = nil
			}
		}
		return grads
	}, mean, invStd)
}

// channelSums returns, per channel of x (m rows of c), the sum over every
// device of x, or of (x - mean)^2 when mean is given.
func channelSums(x *Tensor, m, c int, mean *Tensor, sum ChannelSum) *Tensor {
	be := x.dev.backend
	s := Empty(x.dev, Float32, c)
	if mean == nil {
		be.SumRows(m, c, x.buf, s.buf)
	} else {
		neg := Empty(x.dev, Float32, c)
		be.Axpby(-1, mean.buf, 0, neg.buf)
		d := Empty(x.dev, Float32, x.shape...)
		be.AddBias(m, c, x.buf, neg.buf, d.buf)
		be.Mul(d.buf, d.buf, d.buf)
		be.SumRows(m, c, d.buf, s.buf)
		d.Release()
		neg.Release()
	}
	sum(s.buf)
	return s
}

// syncBatchNormDx completes dx = gamma*invStd*(dy - (B + xhat*G)/M), given
// dx = dy*gamma*invStd, where B and G are the sums over every device of
// dbeta and dgamma (the device's sums of dy and dy*xhat) and M the rows of
// every device: dx -= a*x - (a*mean - k*B), with k = gamma*invStd/M and
// a = k*invStd*G.
func syncBatchNormDx(x, dx, gamma, mean, invStd, dgamma, dbeta *Tensor, whole NormParams, sum ChannelSum) {
	be := x.dev.backend
	c := whole.C
	m := x.Numel() / c
	both := Empty(x.dev, Float32, 2*c)
	be.CopyColumns(1, c, dbeta.buf, c, 0, both.buf, 2*c, 0)
	be.CopyColumns(1, c, dgamma.buf, c, 0, both.buf, 2*c, c)
	sum(both.buf)
	b, g := Empty(x.dev, Float32, c), Empty(x.dev, Float32, c)
	be.CopyColumns(1, c, both.buf, 2*c, 0, b.buf, c, 0)
	be.CopyColumns(1, c, both.buf, 2*c, c, g.buf, c, 0)
	k, a, shift := Empty(x.dev, Float32, c), Empty(x.dev, Float32, c), Empty(x.dev, Float32, c)
	be.Mul(gamma.buf, invStd.buf, k.buf)
	be.Axpby(1/float32(whole.M), k.buf, 0, k.buf)
	be.Mul(k.buf, invStd.buf, a.buf)
	be.Mul(a.buf, g.buf, a.buf)
	be.Mul(k.buf, b.buf, k.buf) // k*B
	be.Mul(a.buf, mean.buf, shift.buf)
	be.Axpby(-1, k.buf, 1, shift.buf) // a*mean - k*B
	ax := Empty(x.dev, Float32, x.shape...)
	be.ScaleChannels(1, m, c, x.buf, a.buf, ax.buf)
	be.Axpby(-1, ax.buf, 1, dx.buf)
	be.AddBias(m, c, dx.buf, shift.buf, dx.buf)
	for _, t := range []*Tensor{both, b, g, k, a, shift, ax} {
		t.Release()
	}
}
