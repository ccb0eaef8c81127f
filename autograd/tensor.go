package autograd

import (
	"fmt"
	"runtime"
)

// Tensor is an n-dimensional array in a device buffer, with the autograd
// state attached to it: whether it wants a gradient, its gradient, and the
// node of the op that produced it.
type Tensor struct {
	shape        Shape
	buf          Buffer
	dev          *Device
	requiresGrad bool
	grad         *Tensor
	node         *node // nil for leaves and for tensors made without recording
	st           *storage
	cleanup      runtime.Cleanup // drops st when t is dropped unreleased; zero unless the backend is a TryAllocator
	scope        *Scope          // the scope that releases t when it closes; nil for none
	gradReady    func(*Tensor)   // see OnGradReady; nil for none
}

// Empty returns a tensor of the given shape and dtype on dev with
// unspecified contents. When the backend is out of memory it first reclaims
// unreachable tensors (see Device.Reclaim); it panics, as the backend's
// Alloc does, when that is not enough.
func Empty(dev *Device, dt DType, shape ...int) *Tensor {
	s := Shape(shape).Clone()
	for _, d := range s {
		if d < 0 {
			panic(fmt.Sprintf("autograd: negative dimension in shape %v", s))
		}
	}
	return newTensor(dev, s, dev.alloc(dt, s.Numel()))
}

// Zeros returns a Float32 tensor of zeros.
func Zeros(dev *Device, shape ...int) *Tensor { return Full(dev, 0, shape...) }

// Full returns a Float32 tensor with every element v.
func Full(dev *Device, v float32, shape ...int) *Tensor {
	t := Empty(dev, Float32, shape...)
	dev.backend.Fill(t.buf, v)
	return t
}

// FromFloat32s returns a Float32 tensor holding a copy of data. It panics
// when len(data) does not match shape.
func FromFloat32s(dev *Device, data []float32, shape ...int) *Tensor {
	t := Empty(dev, Float32, shape...)
	t.SetFloat32s(data)
	return t
}

// FromInt32s returns an Int32 tensor (labels) holding a copy of data. It
// panics when len(data) does not match shape.
func FromInt32s(dev *Device, data []int32, shape ...int) *Tensor {
	t := Empty(dev, Int32, shape...)
	t.SetInt32s(data)
	return t
}

// SetFloat32s overwrites a Float32 tensor's data with a copy of data,
// outside autograd: for loading weights and state. It panics when t is not
// Float32 or len(data) does not match its shape.
func (t *Tensor) SetFloat32s(data []float32) {
	t.checkSet(Float32, len(data))
	t.dev.backend.WriteFloat32(t.buf, data)
}

// SetInt32s overwrites an Int32 tensor's data with a copy of data, outside
// autograd (counters such as batch norm's num_batches_tracked). It panics
// when t is not Int32 or len(data) does not match its shape.
func (t *Tensor) SetInt32s(data []int32) {
	t.checkSet(Int32, len(data))
	t.dev.backend.WriteInt32(t.buf, data)
}

func (t *Tensor) checkSet(dt DType, n int) {
	if t.DType() != dt || n != t.shape.Numel() {
		panic(fmt.Sprintf("autograd: setting %d %v values into a %v tensor of shape %v", n, dt, t.DType(), t.shape))
	}
}

// Shape returns the tensor's dimensions; the caller must not modify it.
func (t *Tensor) Shape() Shape { return t.shape }

// DType returns the element type.
func (t *Tensor) DType() DType { return t.buf.DType() }

// Numel returns the number of elements.
func (t *Tensor) Numel() int { return t.shape.Numel() }

// Buffer returns the device buffer holding the data. The buffer stays valid
// while t is reachable and not released; code that keeps the buffer beyond
// its last use of t must keep t alive (runtime.KeepAlive), or the garbage
// collector may hand the buffer back to the device.
func (t *Tensor) Buffer() Buffer { return t.buf }

// Device returns the device the tensor lives on.
func (t *Tensor) Device() *Device { return t.dev }

// RequiresGrad reports whether gradients flow to or through t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// SetRequiresGrad marks a leaf tensor (a parameter) as wanting a gradient.
// It panics on a tensor produced by a recorded op.
func (t *Tensor) SetRequiresGrad(on bool) *Tensor {
	if t.node != nil {
		panic("autograd: SetRequiresGrad on a non-leaf tensor")
	}
	t.requiresGrad = on
	return t
}

// Grad returns the accumulated gradient of a leaf, or nil before any
// backward pass reached it.
func (t *Tensor) Grad() *Tensor { return t.grad }

// SetGrad replaces the accumulated gradient (used by all-reduce and
// checkpoint code); g must have t's shape. g then belongs to t's scope (see
// Scope): a parameter's gradient outlives the step that computed it.
func (t *Tensor) SetGrad(g *Tensor) {
	if g != nil {
		if !g.shape.Equal(t.shape) {
			panic(fmt.Sprintf("autograd: gradient of shape %v for tensor of shape %v", g.shape, t.shape))
		}
		g.moveTo(t.scope)
	}
	t.grad = g
}

// ZeroGrad drops the accumulated gradient; the next backward pass starts
// the sum afresh.
func (t *Tensor) ZeroGrad() {
	if t.grad != nil {
		t.grad.Release()
		t.grad = nil
	}
}

// Float32s copies the data of a Float32 or BFloat16 tensor (widened
// exactly) to host memory.
func (t *Tensor) Float32s() []float32 {
	out := make([]float32, t.Numel())
	w := widened(t)
	t.dev.backend.ReadFloat32(out, w.buf)
	unwiden(t, w)
	return out
}

// Int32s copies an Int32 tensor's data to host memory.
func (t *Tensor) Int32s() []int32 {
	out := make([]int32, t.Numel())
	t.dev.backend.ReadInt32(out, t.buf)
	return out
}

// Item returns the only element of a one-element Float32 tensor.
func (t *Tensor) Item() float32 {
	if t.Numel() != 1 {
		panic(fmt.Sprintf("autograd: Item of a tensor of shape %v", t.shape))
	}
	return t.Float32s()[0]
}

// CopyFrom overwrites t's data with src's (same shape and dtype, same device),
// outside autograd: for loading weights and optimizer state.
func (t *Tensor) CopyFrom(src *Tensor) {
	if !src.shape.Equal(t.shape) || src.DType() != t.DType() {
		panic(fmt.Sprintf("autograd: CopyFrom %v %v into %v %v", src.DType(), src.shape, t.DType(), t.shape))
	}
	t.dev.backend.Copy(t.buf, src.buf)
}

// Detach returns a tensor sharing t's data with no autograd history. The
// data lives until both t and the result are released or unreachable. It
// panics when t was released.
func (t *Tensor) Detach() *Tensor { return t.view(t.shape) }

// Release gives up t's hold on its buffer, which is freed now unless a view
// of the same data (Reshape, Detach) still holds it. A Scope releases the
// tensors made while it was open; a tensor dropped without either has its
// buffer freed only after the garbage collector finds it unreachable (see
// TryAllocator), and is counted (Device.Stats). t must not be used
// afterwards; releasing it again, or releasing nil, does nothing.
func (t *Tensor) Release() {
	if t == nil || t.st == nil {
		return
	}
	// t is reachable across Stop (it is written below), so Stop cancels the
	// cleanup before the collector could queue it.
	t.cleanup.Stop()
	t.st.drop()
	t.st, t.buf = nil, nil
}

func (t *Tensor) String() string {
	return fmt.Sprintf("Tensor(%v %v on %s)", t.DType(), t.shape, t.dev.Name())
}
