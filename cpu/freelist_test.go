package cpu

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// TestFreedBuffersAreReused checks that Alloc hands out a buffer Free gave
// back, of that length only, and that unused ones go back to the garbage
// collector. Collection is paused while buffers must survive, because a
// sync.Pool may drop them at any collection.
func TestFreedBuffersAreReused(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b := New(1)
	const n = 1000
	// Sixteen, because the race detector makes sync.Pool drop a quarter
	// of what it is given.
	var bufs []f32
	for range 16 {
		bufs = append(bufs, floats(b.Alloc(autograd.Float32, n)))
	}
	freed := map[*float32]bool{}
	for _, v := range bufs {
		freed[&v[0]] = true
		b.Free(v)
	}
	if v := floats(b.Alloc(autograd.Float32, n+1)); freed[&v[0]] {
		t.Errorf("Alloc of %d elements reused a freed buffer of %d", n+1, n)
	}
	if v := floats(b.Alloc(autograd.Float32, n)); !freed[&v[0]] {
		t.Errorf("Alloc of %d elements did not reuse any of the 16 freed buffers of that length", n)
	}

	b = New(1)
	b.Free(b.Alloc(autograd.Float32, n))
	runtime.GC()
	runtime.GC() // a sync.Pool keeps its items through one collection
	if v := b.free.take(n); v != nil {
		t.Errorf("a freed buffer outlived two collections without being reused")
	}
}
