package autograd

// MatMul returns the matrix product of a (m, k) and b (k, n).
func MatMul(a, b *Tensor) *Tensor {
	panic("autograd: MatMul not implemented yet")
}

// Linear returns x w^T + b for x (N, In), w (Out, In) and b (Out), as
// PyTorch's nn.Linear; b may be nil.
func Linear(x, w, b *Tensor) *Tensor {
	panic("autograd: Linear not implemented yet")
}
