package autograd

// Reshape returns x with a new shape of the same number of elements; one
// dimension may be -1 and is inferred. The result shares x's buffer.
func Reshape(x *Tensor, shape ...int) *Tensor {
	panic("autograd: Reshape not implemented yet")
}

// Flatten returns x reshaped to (N, rest).
func Flatten(x *Tensor) *Tensor {
	panic("autograd: Flatten not implemented yet")
}
