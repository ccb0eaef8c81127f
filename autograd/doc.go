// Package autograd holds gocnn's tensors, its tape-based reverse-mode
// automatic differentiation, every differentiable op, and the Backend
// interface that the cpu and cuda packages implement.
//
// Activations are NHWC (batch, height, width, channels). Convolution filters
// are KRSC (out channels, filter height, filter width, in channels per group);
// linear weights are (out, in) as in PyTorch. Each op lives in its own file
// with its forward and backward side by side: the forward launches backend
// kernels and, when gradients are being recorded, appends a node whose
// backward closure launches the adjoint kernels.
//
// One Device wraps one Backend value, which is one physical or logical
// device. A Device is meant to be driven by one goroutine at a time; its
// grad mode (see Device.NoGrad) is therefore per device, not per process.
package autograd
