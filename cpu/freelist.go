package cpu

import (
	"math"
	"sync"
)

// freeList keeps the float32 buffers Free returns, by length, for Alloc to
// hand out again: a training step allocates the same shapes every time, and
// reusing them skips Go's zeroing of every new activation and gradient
// (measured: ResNet-20 steps 18 % faster, U-Net 9 %). The lists are
// sync.Pools, so a length that stops being used is given back to the
// garbage collector after two collections instead of being held forever.
type freeList struct {
	bySize sync.Map // int -> *sync.Pool of *f32
}

// take returns a freed buffer of n elements, or nil when there is none.
func (l *freeList) take(n int) f32 {
	p, ok := l.bySize.Load(n)
	if !ok {
		return nil
	}
	if v, _ := p.(*sync.Pool).Get().(*f32); v != nil {
		return *v
	}
	return nil
}

// scratch returns n floats of working memory for a kernel: a buffer Free
// or recycle gave back when there is one of that length, else new memory.
// Its contents are stale either way, so callers write every element they
// read. Taking kernels' temporaries from the free list too keeps a
// training step from allocating: fresh memory made the heap grow by the
// temporaries of every step (46 MB a step for ResNet-110 at batch 64)
// until a collection, and each new page cost a page fault on first touch
// (about 13,000 a step, 15 % of the step's CPU time in the kernel).
func (b *Backend) scratch(n int) []float32 {
	if v := b.free.take(n); v != nil {
		return v
	}
	v := make([]float32, n)
	if poisonFresh {
		fillNaN(v)
	}
	return v
}

// recycle gives a scratch buffer back for a later scratch or Alloc of its
// length.
func (b *Backend) recycle(v []float32) { b.free.put(v) }

// poisonFresh makes scratch and Alloc fill new memory with NaN instead of
// leaving it zero, as reused memory would be stale: tests set it so that a
// kernel that reads what it never wrote fails on the first call, not only
// after a buffer is reused.
var poisonFresh bool

// fillNaN sets every element of v to NaN.
func fillNaN(v []float32) {
	nan := float32(math.NaN())
	for i := range v {
		v[i] = nan
	}
}

// put keeps v for a later take of its length.
func (l *freeList) put(v f32) {
	p, _ := l.bySize.LoadOrStore(len(v), new(sync.Pool))
	p.(*sync.Pool).Put(&v)
}
