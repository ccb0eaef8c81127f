package autograd

import (
	"runtime"
	"sync/atomic"
)

// storage is a device buffer shared by the tensors that view it (Empty's
// result, its Reshape views, its Detach copies), counted so that the buffer
// is freed once, when the last of them is released. On a backend whose
// memory is outside the Go heap (a TryAllocator, e.g. a GPU) a tensor
// dropped without Release lets go too, when the garbage collector finds it
// unreachable, so that every buffer returns to the device. On the CPU the
// collector reclaims dropped host buffers itself.
type storage struct {
	buf  Buffer
	dev  *Device
	refs atomic.Int32 // atomic: garbage-collector cleanups drop references on their own goroutines
}

// newTensor returns a tensor owning a fresh storage around buf.
func newTensor(dev *Device, shape Shape, buf Buffer) *Tensor {
	st := &storage{buf: buf, dev: dev}
	dev.buffers.Add(1)
	return st.tensor(shape)
}

// view returns a tensor of the given shape sharing t's storage, with no
// autograd history. It panics when t was released.
func (t *Tensor) view(shape Shape) *Tensor {
	if t.st == nil {
		panic("autograd: use of a released tensor")
	}
	return t.st.tensor(shape)
}

// tensor returns a new tensor holding a reference to s, owned by the
// device's open scope if there is one. On a TryAllocator backend, when the
// tensor becomes unreachable without having been released, a cleanup drops
// its reference; the cleanup is handed s alone, which points at no tensor,
// so it cannot resurrect one.
func (s *storage) tensor(shape Shape) *Tensor {
	s.refs.Add(1)
	t := &Tensor{shape: shape, buf: s.buf, dev: s.dev, st: s}
	if s.dev.tryAlloc != nil {
		t.cleanup = runtime.AddCleanup(t, (*storage).dropUnreachable, s)
	}
	t.moveTo(s.dev.scope)
	return t
}

// drop gives up one reference, freeing the buffer with the last. It runs
// on the goroutine driving the device.
func (s *storage) drop() {
	if s.refs.Add(-1) == 0 {
		s.dev.free(s.buf)
	}
}

// dropUnreachable is the cleanup of a tensor the program dropped without
// releasing: the safety net, counted in Device.Stats. It runs on a
// runtime goroutine, concurrently with the device's own, so it does not
// call Free: the last reference hands the buffer to the device, which
// frees it on its next allocation (see Device.drain).
func (s *storage) dropUnreachable() {
	s.dev.collected.Add(1)
	if s.refs.Add(-1) == 0 {
		s.dev.deferFree(s.buf)
	}
}
