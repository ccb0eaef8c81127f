package autograd

// PoolOptions configures MaxPool2D and AvgPool2D. Pairs are (height, width).
// A zero Stride means the kernel size, as in PyTorch.
type PoolOptions struct {
	Kernel, Stride, Padding [2]int
	CeilMode                bool
	// ExcludePad makes AvgPool2D divide by the number of taps inside the
	// input (PyTorch's count_include_pad=False); the default counts padding.
	ExcludePad bool
}

// MaxPool2D returns the maxima of x (N, H, W, C) over each window.
func MaxPool2D(x *Tensor, o PoolOptions) *Tensor {
	panic("autograd: MaxPool2D not implemented yet")
}

// AvgPool2D returns the means of x (N, H, W, C) over each window.
func AvgPool2D(x *Tensor, o PoolOptions) *Tensor {
	panic("autograd: AvgPool2D not implemented yet")
}

// GlobalAvgPool returns the mean over H and W of x (N, H, W, C): an (N, C)
// tensor.
func GlobalAvgPool(x *Tensor) *Tensor {
	panic("autograd: GlobalAvgPool not implemented yet")
}
