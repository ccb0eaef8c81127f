package autograd

// Dropout zeroes each element of x with probability p and scales the rest
// by 1/(1-p) when training; otherwise it returns x. Masks come from the
// device's dropout sequence (Device.SeedDropout), so runs are reproducible.
func Dropout(x *Tensor, p float32, training bool) *Tensor {
	panic("autograd: Dropout not implemented yet")
}
