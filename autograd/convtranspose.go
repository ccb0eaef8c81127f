package autograd

// ConvTranspose2DOptions configures ConvTranspose2D. Zero values mean
// PyTorch's defaults. OutputPadding adds rows and columns on the bottom and
// right of the output, resolving which input size a strided convolution is
// transposed from.
type ConvTranspose2DOptions struct {
	Stride, Padding, OutputPadding, Dilation [2]int
	Groups                                   int
}

// ConvTranspose2D returns the transposed convolution (the gradient of
// Conv2D with respect to its input) of x (N, H, W, Cin) with filters
// w (Cin, R, S, Cout/G): an (N, Ho, Wo, Cout) tensor with
// Ho = (H-1)*stride - 2*padding + dilation*(R-1) + outputPadding + 1.
func ConvTranspose2D(x, w *Tensor, o ConvTranspose2DOptions) *Tensor {
	panic("autograd: ConvTranspose2D not implemented yet")
}
