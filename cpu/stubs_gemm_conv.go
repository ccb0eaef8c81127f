package cpu

import "github.com/gocnn/gocnn/autograd"

// Gemm is not implemented yet.
func (b *Backend) Gemm(transA, transB bool, m, n, k int, alpha float32, a, bb autograd.Buffer, beta float32, c autograd.Buffer) {
	panic("cpu: Gemm not implemented yet")
}

// Conv2D is not implemented yet.
func (b *Backend) Conv2D(p autograd.ConvParams, x, w, y autograd.Buffer) {
	panic("cpu: Conv2D not implemented yet")
}

// Conv2DBackwardData is not implemented yet.
func (b *Backend) Conv2DBackwardData(p autograd.ConvParams, dy, w, dx autograd.Buffer) {
	panic("cpu: Conv2DBackwardData not implemented yet")
}

// Conv2DBackwardFilter is not implemented yet.
func (b *Backend) Conv2DBackwardFilter(p autograd.ConvParams, x, dy, dw autograd.Buffer) {
	panic("cpu: Conv2DBackwardFilter not implemented yet")
}
