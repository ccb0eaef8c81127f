//go:build cuda

package cuda

import "github.com/gocnn/gocnn/autograd"

// Gemm is not implemented yet; it panics.
func (b *Backend) Gemm(transA, transB bool, m, n, k int, alpha float32, a, bb autograd.Buffer, beta float32, c autograd.Buffer) {
	panic("cuda: Gemm arrives with the convolution kernels (issue 7)")
}

// Conv2D is not implemented yet; it panics.
func (b *Backend) Conv2D(p autograd.ConvParams, x, w, y autograd.Buffer) {
	panic("cuda: Conv2D arrives with the convolution kernels (issue 7)")
}

// Conv2DBackwardData is not implemented yet; it panics.
func (b *Backend) Conv2DBackwardData(p autograd.ConvParams, dy, w, dx autograd.Buffer) {
	panic("cuda: Conv2DBackwardData arrives with the convolution kernels (issue 7)")
}

// Conv2DBackwardFilter is not implemented yet; it panics.
func (b *Backend) Conv2DBackwardFilter(p autograd.ConvParams, x, dy, dw autograd.Buffer) {
	panic("cuda: Conv2DBackwardFilter arrives with the convolution kernels (issue 7)")
}
