package autograd

// Conv2DOptions configures Conv2D. Zero values mean PyTorch's defaults:
// stride 1, no padding, dilation 1, one group. Pairs are (height, width).
type Conv2DOptions struct {
	Stride, Padding, Dilation [2]int
	// Groups splits input and output channels into independent groups;
	// Groups == C is a depthwise convolution.
	Groups int
}

// Conv2D returns the cross-correlation of x (N, H, W, C) with filters
// w (K, R, S, C/G): an (N, P, Q, K) tensor. Bias is a separate AddBias. It
// panics when the shapes or options do not fit together.
func Conv2D(x, w *Tensor, o Conv2DOptions) *Tensor {
	panic("autograd: Conv2D not implemented yet")
}
