package autograd

// Buffer is a block of device memory owned by the Backend that allocated it.
type Buffer interface {
	// Len returns the number of elements.
	Len() int
	// DType returns the element type.
	DType() DType
}

// Backend runs kernels on one device. Every method works on buffers the same
// backend allocated; lengths are in elements. Unless a method says otherwise,
// output buffers are overwritten whole (never read), so they may hold anything
// beforehand, and inputs are never modified. A method panics when a buffer is
// too short for the shape it is given: that is a programming error in the op
// that called it.
//
// The shapes of every buffer are given in comments as (dim, dim, ...), using
// N, H, W, C for an op's input activations, K, R, S for filters and P, Q for
// output height and width.
//
// Buffers are Float32 unless a method says otherwise. The activations of
// Add, Activation, ActivationBackward, the batch-norm methods (x, residual
// and y), MaxPool2D, AvgPool2D, AdaptiveAvgPool2D, GlobalAvgPool and
// ScaleChannels (x and y), ScaleChannelsBackward (x), CopyColumns (src and
// dst), and of depthwise convolutions (Conv2D's x and y,
// Conv2DBackwardFilter's x) may instead all be BFloat16
// (Device.SetActivationDType):
// they are read widened exactly, the arithmetic is the same fp32, and a
// BFloat16 result is the Float32 one rounded to nearest even, once.
// Gradients (dy, dx, ...) are Float32 always.
type Backend interface {
	// Name identifies the device, e.g. "cpu" or "cuda:0".
	Name() string

	// Alloc returns a buffer of n elements of dt with unspecified contents.
	Alloc(dt DType, n int) Buffer
	// Free returns b's memory to the backend; b must not be used again.
	Free(b Buffer)
	// WriteFloat32 copies src from host memory into dst (Float32).
	WriteFloat32(dst Buffer, src []float32)
	// ReadFloat32 copies src (Float32) into host memory dst.
	ReadFloat32(dst []float32, src Buffer)
	// WriteInt32 copies src from host memory into dst (Int32).
	WriteInt32(dst Buffer, src []int32)
	// ReadInt32 copies src (Int32) into host memory dst.
	ReadInt32(dst []int32, src Buffer)
	// WriteUint8 copies src from host memory into dst (Uint8).
	WriteUint8(dst Buffer, src []uint8)
	// Copy copies src into dst; both have the same length and dtype.
	Copy(dst, src Buffer)
	// Convert copies src into dst, of the same length and another
	// dtype: Float32 to BFloat16 rounds to nearest with ties to even (as
	// Precision.Round; NaN becomes the quiet NaN 0x7fff), BFloat16 to
	// Float32 is exact.
	Convert(dst, src Buffer)
	// Fill sets every element of dst (Float32) to v.
	Fill(dst Buffer, v float32)

	// Add sets y = a + b elementwise; a, b and y have one length.
	Add(a, b, y Buffer)
	// Mul sets y = a * b elementwise; a, b and y have one length.
	Mul(a, b, y Buffer)
	// Div sets y = a / b elementwise, rounded as IEEE 754 division; a, b
	// and y have one length.
	Div(a, b, y Buffer)
	// Sqrt sets y = sqrt(x) elementwise, correctly rounded; x and y have
	// one length.
	Sqrt(x, y Buffer)
	// Axpby sets y = alpha*x + beta*y. With beta == 0, y is not read (so a
	// NaN in y does not survive), as in BLAS.
	Axpby(alpha float32, x Buffer, beta float32, y Buffer)
	// AddBias sets y[r, c] = x[r, c] + b[c]. x, y: (rows, cols); b: (cols).
	AddBias(rows, cols int, x, b, y Buffer)
	// SumRows sets y[c] = sum over r of x[r, c]. x: (rows, cols); y: (cols).
	SumRows(rows, cols int, x, y Buffer)
	// Sum sets y[0] to the sum of every element of x. y: (1).
	Sum(x, y Buffer)
	// SumSquares sets y[0] to the sum of x[i]^2 (for the global gradient
	// norm). y: (1).
	SumSquares(x, y Buffer)
	// Activation sets y = f(x) elementwise for the function kind names.
	Activation(kind Activation, x, y Buffer)
	// ActivationBackward sets dx = f'(x) * dy, given x and y = f(x).
	ActivationBackward(kind Activation, x, y, dy, dx Buffer)
	// ScaleChannels sets y[n, i, c] = x[n, i, c] * s[n, c]: squeeze-and-
	// excitation gating. x, y: (n, hw, c); s: (n, c).
	ScaleChannels(n, hw, c int, x, s, y Buffer)
	// ScaleChannelsBackward sets dx = dy * s broadcast as in ScaleChannels
	// and ds[n, c] = sum over i of dy[n, i, c] * x[n, i, c].
	ScaleChannelsBackward(n, hw, c int, x, s, dy, dx, ds Buffer)
	// CopyColumns copies, for each of rows rows, cols consecutive elements
	// from src[r*srcStride + srcOff] to dst[r*dstStride + dstOff]; other
	// elements of dst are left as they are. It concatenates and splits NHWC
	// tensors along channels. src and dst are both Float32 or both
	// BFloat16.
	CopyColumns(rows, cols int, src Buffer, srcStride, srcOff int, dst Buffer, dstStride, dstOff int)

	// Gemm sets c = alpha*op(a)*op(b) + beta*c for row-major matrices, where
	// op(a) is (m, k) and op(b) is (k, n), transposed from storage when
	// transA or transB is set. With beta == 0, c is not read.
	Gemm(transA, transB bool, m, n, k int, alpha float32, a, b Buffer, beta float32, c Buffer)

	// Conv2D sets y to the cross-correlation of x with w.
	// x: (N, H, W, C); w: (K, R, S, C/G); y: (N, P, Q, K).
	Conv2D(p ConvParams, x, w, y Buffer)
	// Conv2DBias sets y to Conv2D's result plus bias[k] (K) broadcast over
	// the pixels, then, with relu, max(., 0): the convolution's epilogue,
	// applied where the kernel writes its output instead of in passes of
	// their own. Its numerics are those of Conv2D, AddBias and
	// Activation(ActReLU) in turn: at a precision narrower than fp32 the
	// convolution's result is rounded to it first, then the bias is added
	// in fp32 (one rounding), then the ReLU taken, so the bits equal the
	// three separate calls'.
	Conv2DBias(p ConvParams, relu bool, x, w, bias, y Buffer)
	// BiasReLUBackward is the backward of Conv2DBias's epilogue with relu:
	// dx = dy where y > 0 (y its output), as ActivationBackward(ActReLU)
	// forms it, and, when dbias is not nil, dbias[c] = the sum over r of
	// that dx[r, c], summed as SumRows sums it: one pass where the separate
	// ops take two. y, dy, dx: (rows, cols); dbias: (cols).
	BiasReLUBackward(rows, cols int, y, dy, dx, dbias Buffer)
	// Conv2DBackwardData sets dx to the gradient of Conv2D with respect to x.
	// dy: (N, P, Q, K); w: (K, R, S, C/G); dx: (N, H, W, C).
	Conv2DBackwardData(p ConvParams, dy, w, dx Buffer)
	// Conv2DBackwardFilter sets dw to the gradient of Conv2D with respect to w.
	// x: (N, H, W, C); dy: (N, P, Q, K); dw: (K, R, S, C/G).
	Conv2DBackwardFilter(p ConvParams, x, dy, dw Buffer)

	// MaxPool2D sets y to the window maxima of x and argmax (Int32) to the
	// index h*W + w within x's image of each maximum.
	// x: (N, H, W, C); y, argmax: (N, P, Q, C).
	MaxPool2D(p PoolParams, x, y, argmax Buffer)
	// MaxPool2DBackward sets dx by routing each dy to its argmax.
	MaxPool2DBackward(p PoolParams, dy, argmax, dx Buffer)
	// AvgPool2D sets y to the window means of x.
	AvgPool2D(p PoolParams, x, y Buffer)
	// AvgPool2DBackward sets dx to the gradient of AvgPool2D.
	AvgPool2DBackward(p PoolParams, dy, dx Buffer)
	// AdaptiveAvgPool2D sets y to the means of x over p's bins (see
	// AdaptivePoolParams). x: (N, H, W, C); y: (N, OutH, OutW, C).
	AdaptiveAvgPool2D(p AdaptivePoolParams, x, y Buffer)
	// AdaptiveAvgPool2DBackward sets dx to the gradient of
	// AdaptiveAvgPool2D: each input element gets the dy of every bin
	// holding it, divided by that bin's size.
	AdaptiveAvgPool2DBackward(p AdaptivePoolParams, dy, dx Buffer)
	// GlobalAvgPool sets y[n, c] to the mean over i of x[n, i, c].
	// x: (n, hw, c); y: (n, c).
	GlobalAvgPool(n, hw, c int, x, y Buffer)
	// GlobalAvgPoolBackward sets dx[n, i, c] = dy[n, c] / hw.
	GlobalAvgPoolBackward(n, hw, c int, dy, dx Buffer)

	// BatchNormTrain normalises x with its own per-channel statistics:
	// y = (x - mean) * invStd * gamma + beta, and stores mean and invStd =
	// 1/sqrt(var + eps) (biased variance). x, y: (M, C); the rest: (C).
	// residual (M, C), when not nil, is added to y, and with p.ReLU y is
	// then max(y, 0): batch norm, add and ReLU in one pass, each rounded as
	// the separate Add and Activation round.
	BatchNormTrain(p NormParams, x, gamma, beta, residual, y, mean, invStd Buffer)
	// BatchNormInfer normalises x with running statistics, then adds
	// residual (nil for none) and applies p.ReLU as BatchNormTrain does.
	// x, residual, y: (M, C); the rest: (C).
	BatchNormInfer(p NormParams, x, gamma, beta, runMean, runVar, residual, y Buffer)
	// BatchNormBackward sets dx, dgamma and dbeta given the mean and invStd
	// the forward used. With batchStats, mean and invStd came from x itself
	// (training) and dx includes their dependence on x; otherwise they are
	// constants (running statistics). With p.ReLU, y is the forward's
	// output and dy counts only where y > 0 (the gradient ActivationBackward
	// would give, never stored); otherwise y is not read and may be nil.
	// dResidual (M, C), when not nil, receives that masked dy: the
	// gradient of the forward's residual.
	BatchNormBackward(p NormParams, batchStats bool, x, y, dy, gamma, mean, invStd, dx, dgamma, dbeta, dResidual Buffer)
	// BatchNormUpdateRunning blends batch statistics into running ones:
	// run = (1-momentum)*run + momentum*batch, with the unbiased variance
	// var*M/(M-1) recovered from invStd, as PyTorch does.
	BatchNormUpdateRunning(p NormParams, momentum float32, mean, invStd, runMean, runVar Buffer)
	// RunningInvStd sets invStd = 1/sqrt(runVar + eps). Both: (C).
	RunningInvStd(p NormParams, runVar, invStd Buffer)

	// LRN applies local response normalisation across channels:
	// y = x / scale^beta with scale = k + alpha/size * sum of x^2 over the
	// size channels centred on c. x, y, scale: (M, C).
	LRN(p LRNParams, x, y, scale Buffer)
	// LRNBackward sets dx given the x, y and scale of the forward.
	LRNBackward(p LRNParams, x, y, scale, dy, dx Buffer)

	// SoftmaxCrossEntropy computes softmax over each row of logits, stores
	// the probabilities, and sets loss[0] to the mean over rows whose label
	// is not p.IgnoreIndex of the label-smoothed cross-entropy (0 when every
	// row is ignored). logits, probs: (rows, classes); labels: (rows) Int32;
	// loss: (1).
	SoftmaxCrossEntropy(p CrossEntropyParams, logits, labels, probs, loss Buffer)
	// SoftmaxCrossEntropyBackward sets dlogits to dloss[0] times the gradient
	// of that mean loss with respect to logits; ignored rows get zeros.
	SoftmaxCrossEntropyBackward(p CrossEntropyParams, probs, labels, dloss, dlogits Buffer)
	// TopKCounts sets counts[j] to the number of rows whose label is among
	// the j+1 best logits of its row, for every j < len(counts): a label's
	// rank counts the logits strictly greater than its own, and equal ones
	// at lower indices, as a stable sort orders them. A row whose label's
	// logit is NaN, or whose label is outside [0, classes), counts in none.
	// logits: (rows, classes); labels: (rows) Int32; counts: (k) Float32,
	// exact up to 2^24 rows.
	TopKCounts(rows, classes int, logits, labels, counts Buffer)

	// DropoutMask fills mask with 0 (probability p) or 1/(1-p), drawn from a
	// counter-based generator keyed by seed, so a (seed, index) pair always
	// gives the same draw on every backend.
	DropoutMask(p float32, seed uint64, mask Buffer)

	// PixelsToFloat32 converts and normalises images on the device:
	// y[r, c] = float32(x[r, c])*scale[c] + shift[c]. x: (rows, cols)
	// Uint8 pixels; scale, shift: (cols); y: (rows, cols).
	PixelsToFloat32(rows, cols int, x, scale, shift, y Buffer)

	// Upsample resizes x bilinearly. x: (N, H, W, C); y: (N, OutH, OutW, C).
	Upsample(p ResizeParams, x, y Buffer)
	// UpsampleBackward sets dx to the gradient of Upsample.
	UpsampleBackward(p ResizeParams, dy, dx Buffer)
}

// Activation names an elementwise activation function.
type Activation uint8

const (
	// ActReLU is max(x, 0).
	ActReLU Activation = iota
	// ActReLU6 is min(max(x, 0), 6).
	ActReLU6
	// ActSigmoid is 1/(1+exp(-x)).
	ActSigmoid
	// ActHardSigmoid is relu6(x+3)/6 (MobileNetV3).
	ActHardSigmoid
	// ActHardSwish is x*relu6(x+3)/6 (MobileNetV3).
	ActHardSwish
	// ActTanh is the hyperbolic tangent.
	ActTanh
)

var activationNames = [...]string{"relu", "relu6", "sigmoid", "hardsigmoid", "hardswish", "tanh"}

func (a Activation) String() string { return activationNames[a] }
