package autograd

// ToDevice returns a copy of x on dev, staged through host memory, even
// when dev is x's own device. Its backward copies the gradient back, so one
// model can span two devices. Int32 tensors (labels) are copied too and
// never carry gradients.
func ToDevice(x *Tensor, dev *Device) *Tensor {
	y := hostCopy(x, dev)
	return record("ToDevice", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		return []*Tensor{hostCopy(dy, x.dev)}
	})
}

// hostCopy returns a copy of x's data on dev without autograd history.
func hostCopy(x *Tensor, dev *Device) *Tensor {
	if x.DType() == Int32 {
		return FromInt32s(dev, x.Int32s(), x.shape...)
	}
	return FromFloat32s(dev, x.Float32s(), x.shape...)
}
