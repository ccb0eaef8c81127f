package autograd

// Concat joins tensors along their last dimension (channels); every other
// dimension must agree.
func Concat(xs ...*Tensor) *Tensor {
	panic("autograd: Concat not implemented yet")
}

// Narrow returns channels [offset, offset+size) of x's last dimension.
func Narrow(x *Tensor, offset, size int) *Tensor {
	panic("autograd: Narrow not implemented yet")
}

// Split cuts x's last dimension into consecutive pieces of the given sizes,
// which must add up to it.
func Split(x *Tensor, sizes ...int) []*Tensor {
	panic("autograd: Split not implemented yet")
}
