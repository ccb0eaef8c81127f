package autograd

// ToDevice returns a copy of x on dev, even when dev is x's own device.
// Its backward copies the gradient back, so one model can span two
// devices. The copy goes device to device when x's backend is a
// PeerCopier that reaches dev's, through host memory otherwise. Int32
// tensors (labels) are copied too and never carry gradients.
func ToDevice(x *Tensor, dev *Device) *Tensor {
	y := copyTo(x, dev)
	return record("ToDevice", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		return []*Tensor{copyTo(dy, x.dev)}
	})
}

// PeerCopier is a Backend that copies its buffers into other devices'
// memory directly, as GPUs do over NVLink or PCIe.
type PeerCopier interface {
	// CopyToPeer copies src, a buffer of this backend, into dst, a buffer
	// of the same length and dtype of backend to, ordered after the work
	// queued on both and before the work queued later on either. It
	// reports false, copying nothing, when it cannot reach to.
	CopyToPeer(to Backend, dst, src Buffer) bool
}

// copyTo returns a copy of x's data on dev without autograd history.
func copyTo(x *Tensor, dev *Device) *Tensor {
	if pc, ok := x.dev.backend.(PeerCopier); ok {
		y := Empty(dev, x.DType(), x.shape...)
		if pc.CopyToPeer(dev.backend, y.buf, x.buf) {
			return y
		}
		y.Release()
	}
	if x.DType() == Int32 {
		return FromInt32s(dev, x.Int32s(), x.shape...)
	}
	return FromFloat32s(dev, x.Float32s(), x.shape...)
}
