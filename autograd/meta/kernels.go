package meta

import "github.com/gocnn/gocnn/autograd"

// The kernels below do nothing: shapes are worked out by the autograd ops
// that call them, and there is no data to compute.

// Copy does nothing.
func (*Backend) Copy(_, _ autograd.Buffer) {}

// Convert does nothing.
func (*Backend) Convert(_, _ autograd.Buffer) {}

// Fill does nothing.
func (*Backend) Fill(autograd.Buffer, float32) {}

// Add does nothing.
func (*Backend) Add(_, _, _ autograd.Buffer) {}

// Mul does nothing.
func (*Backend) Mul(_, _, _ autograd.Buffer) {}

// Div does nothing.
func (*Backend) Div(_, _, _ autograd.Buffer) {}

// Sqrt does nothing.
func (*Backend) Sqrt(_, _ autograd.Buffer) {}

// Axpby does nothing.
func (*Backend) Axpby(float32, autograd.Buffer, float32, autograd.Buffer) {}

// AddBias does nothing.
func (*Backend) AddBias(_, _ int, _, _, _ autograd.Buffer) {}

// SumRows does nothing.
func (*Backend) SumRows(_, _ int, _, _ autograd.Buffer) {}

// Sum does nothing.
func (*Backend) Sum(_, _ autograd.Buffer) {}

// SumSquares does nothing.
func (*Backend) SumSquares(_, _ autograd.Buffer) {}

// Activation does nothing.
func (*Backend) Activation(autograd.Activation, autograd.Buffer, autograd.Buffer) {}

// ActivationBackward does nothing.
func (*Backend) ActivationBackward(autograd.Activation, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// ScaleChannels does nothing.
func (*Backend) ScaleChannels(_, _, _ int, _, _, _ autograd.Buffer) {}

// ScaleChannelsBackward does nothing.
func (*Backend) ScaleChannelsBackward(_, _, _ int, _, _, _, _, _ autograd.Buffer) {}

// CopyColumns does nothing.
func (*Backend) CopyColumns(_, _ int, _ autograd.Buffer, _, _ int, _ autograd.Buffer, _, _ int) {}

// Gemm does nothing.
func (*Backend) Gemm(_, _ bool, _, _, _ int, _ float32, _, _ autograd.Buffer, _ float32, _ autograd.Buffer) {
}

// Conv2D does nothing.
func (*Backend) Conv2D(autograd.ConvParams, autograd.Buffer, autograd.Buffer, autograd.Buffer) {}

// Conv2DBias does nothing.
func (*Backend) Conv2DBias(autograd.ConvParams, bool, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// BiasReLUBackward does nothing.
func (*Backend) BiasReLUBackward(_, _ int, _, _, _, _ autograd.Buffer) {}

// Conv2DBackwardData does nothing.
func (*Backend) Conv2DBackwardData(autograd.ConvParams, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// Conv2DBackwardFilter does nothing.
func (*Backend) Conv2DBackwardFilter(autograd.ConvParams, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// MaxPool2D does nothing.
func (*Backend) MaxPool2D(autograd.PoolParams, autograd.Buffer, autograd.Buffer, autograd.Buffer) {}

// MaxPool2DBackward does nothing.
func (*Backend) MaxPool2DBackward(autograd.PoolParams, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// AvgPool2D does nothing.
func (*Backend) AvgPool2D(autograd.PoolParams, autograd.Buffer, autograd.Buffer) {}

// AvgPool2DBackward does nothing.
func (*Backend) AvgPool2DBackward(autograd.PoolParams, autograd.Buffer, autograd.Buffer) {}

// AdaptiveAvgPool2D does nothing.
func (*Backend) AdaptiveAvgPool2D(autograd.AdaptivePoolParams, autograd.Buffer, autograd.Buffer) {}

// AdaptiveAvgPool2DBackward does nothing.
func (*Backend) AdaptiveAvgPool2DBackward(autograd.AdaptivePoolParams, autograd.Buffer, autograd.Buffer) {
}

// GlobalAvgPool does nothing.
func (*Backend) GlobalAvgPool(_, _, _ int, _, _ autograd.Buffer) {}

// GlobalAvgPoolBackward does nothing.
func (*Backend) GlobalAvgPoolBackward(_, _, _ int, _, _ autograd.Buffer) {}

// BatchNormTrain does nothing.
func (*Backend) BatchNormTrain(autograd.NormParams, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// BatchNormInfer does nothing.
func (*Backend) BatchNormInfer(autograd.NormParams, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// BatchNormBackward does nothing.
func (*Backend) BatchNormBackward(autograd.NormParams, bool, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// BatchNormUpdateRunning does nothing.
func (*Backend) BatchNormUpdateRunning(autograd.NormParams, float32, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// RunningInvStd does nothing.
func (*Backend) RunningInvStd(autograd.NormParams, autograd.Buffer, autograd.Buffer) {}

// LRN does nothing.
func (*Backend) LRN(autograd.LRNParams, autograd.Buffer, autograd.Buffer, autograd.Buffer) {}

// LRNBackward does nothing.
func (*Backend) LRNBackward(autograd.LRNParams, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// SoftmaxCrossEntropy does nothing.
func (*Backend) SoftmaxCrossEntropy(autograd.CrossEntropyParams, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// SoftmaxCrossEntropyBackward does nothing.
func (*Backend) SoftmaxCrossEntropyBackward(autograd.CrossEntropyParams, autograd.Buffer, autograd.Buffer, autograd.Buffer, autograd.Buffer) {
}

// DropoutMask does nothing.
func (*Backend) DropoutMask(float32, uint64, autograd.Buffer) {}

// Upsample does nothing.
func (*Backend) Upsample(autograd.ResizeParams, autograd.Buffer, autograd.Buffer) {}

// UpsampleBackward does nothing.
func (*Backend) UpsampleBackward(autograd.ResizeParams, autograd.Buffer, autograd.Buffer) {}

// TopKCounts does nothing.
func (*Backend) TopKCounts(_, _ int, _, _, _ autograd.Buffer) {}

// PixelsToFloat32 does nothing.
func (*Backend) PixelsToFloat32(_, _ int, _, _, _, _ autograd.Buffer) {}
