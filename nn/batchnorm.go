package nn

import "github.com/gocnn/gocnn/autograd"

// BatchNorm2D normalises each channel with batch statistics while training
// and running statistics in evaluation mode (Ioffe & Szegedy 2015).
// Weight starts at 1 and bias at 0, as in the paper and torchvision.
type BatchNorm2D struct {
	Base
	Weight, Bias            *autograd.Tensor // (C)
	RunningMean, RunningVar *autograd.Tensor // (C)
	// NumBatchesTracked is PyTorch's batch counter, () Int32. The count
	// lives on the host, so that a forward pass does not wait for an
	// upload; Buffers writes it into the tensor.
	NumBatchesTracked *autograd.Tensor
	tracked           int32
	Momentum, Eps     float32
	// sum and ranks, set by SyncBatchNorm, make training normalise with
	// the statistics of every device's batch.
	sum   autograd.ChannelSum
	ranks int
}

// BatchNorm2D returns batch normalisation of c channels with PyTorch's
// defaults (momentum 0.1, eps 1e-5); set Momentum and Eps to change them.
func (b *Builder) BatchNorm2D(c int) *BatchNorm2D {
	bn := &BatchNorm2D{Momentum: 0.1, Eps: 1e-5}
	bn.Weight = bn.AddParam("weight", b.Const(1, c))
	bn.Bias = bn.AddParam("bias", b.Const(0, c))
	bn.RunningMean = bn.AddBuffer("running_mean", autograd.Zeros(b.dev, c))
	bn.RunningVar = bn.AddBuffer("running_var", autograd.Full(b.dev, 1, c))
	bn.NumBatchesTracked = bn.AddBuffer("num_batches_tracked", autograd.FromInt32s(b.dev, []int32{0}))
	return bn
}

// Forward normalises x, whose last dimension is channels. In training mode
// it updates the running statistics and the batch counter.
func (bn *BatchNorm2D) Forward(x *autograd.Tensor) *autograd.Tensor {
	return bn.forward(x, nil, false)
}

// ForwardReLU returns ReLU(bn(x) + residual), or ReLU(bn(x)) for a nil
// residual, with autograd.BatchNormReLU: the same values and gradients as
// Forward followed by autograd.Add and autograd.ReLU, in fewer passes
// over memory and with fewer activations kept for the backward. Under
// SyncBatchNorm training it is those three ops.
func (bn *BatchNorm2D) ForwardReLU(x, residual *autograd.Tensor) *autograd.Tensor {
	return bn.forward(x, residual, true)
}

// FuseNormReLU, true unless changed, makes BatchNorm2D.ForwardReLU use the
// fused op, and Sequential and the models that fuse call it; false makes
// them run BatchNorm, Add and ReLU one after the other as before, to
// compare the two (set it only while no model runs).
var FuseNormReLU = true

// forward is Forward, with relu ForwardReLU.
func (bn *BatchNorm2D) forward(x, residual *autograd.Tensor, relu bool) *autograd.Tensor {
	training := bn.Training()
	o := autograd.BatchNormOptions{Training: training, Momentum: bn.Momentum, Eps: bn.Eps}
	var y *autograd.Tensor
	switch {
	case training && bn.sum != nil, relu && !FuseNormReLU:
		if training && bn.sum != nil {
			y = autograd.SyncBatchNorm(x, bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, o, bn.ranks, bn.sum)
		} else {
			y = autograd.BatchNorm(x, bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, o)
		}
		if residual != nil {
			y = autograd.Add(y, residual)
		}
		if relu {
			y = autograd.ReLU(y)
		}
	case relu:
		y = autograd.BatchNormReLU(x, bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, residual, o)
	default:
		y = autograd.BatchNorm(x, bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, o)
	}
	if training {
		bn.tracked++
	}
	return bn.Out(y)
}

// SyncBatchNorm makes every BatchNorm2D of m, one replica of a model on
// ranks devices, normalise in training with the statistics of the batch
// of every device, which sum adds over them (PyTorch's
// convert_sync_batchnorm; see autograd.SyncBatchNorm). Evaluation uses the
// running statistics as before. A nil sum undoes it.
func SyncBatchNorm(m Module, ranks int, sum autograd.ChannelSum) {
	Walk(m, func(_ string, m Module) {
		if bn, ok := m.(*BatchNorm2D); ok {
			bn.sum, bn.ranks = sum, ranks
		}
	})
}

// writeBuffers writes the host's batch count into NumBatchesTracked.
func (bn *BatchNorm2D) writeBuffers() { bn.NumBatchesTracked.SetInt32s([]int32{bn.tracked}) }
