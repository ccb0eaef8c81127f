package autograd

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// TryAllocator is implemented by a backend whose buffers hold memory the
// garbage collector does not see (a GPU's): only Free returns it, and the
// collector feels no pressure from it, so a GPU fills up with dropped
// activations long before a collection runs. On such a backend autograd
// frees the buffer of every tensor the program drops without releasing it,
// once the collector finds the tensor unreachable (a cleanup, see
// storage); and when TryAlloc, which is Alloc returning an error instead of
// panicking, reports the device out of memory, Empty reclaims those
// tensors at once (Device.Reclaim) and calls Alloc again.
//
// A backend whose buffers are Go memory (the CPU's) should not implement
// it: the collector frees those itself, one cycle sooner than a cleanup
// could (a cleanup's argument, the buffer, stays reachable until it runs),
// which halves the memory a dropped activation occupies.
//
// Empty retries rather than the backend because only autograd knows the
// tensors: a backend's Alloc cannot reach the device's list of buffers
// waiting to be freed, and freeing them from inside Alloc would re-enter a
// backend that serialises its calls.
type TryAllocator interface {
	TryAlloc(dt DType, n int) (Buffer, error)
}

// alloc returns a buffer from the backend after freeing those waiting to
// be, reclaiming unreachable tensors once when the backend is out of memory.
func (d *Device) alloc(dt DType, n int) Buffer {
	if d.tryAlloc == nil {
		return d.backend.Alloc(dt, n)
	}
	d.drain()
	if b, err := d.tryAlloc.TryAlloc(dt, n); err == nil {
		return b
	}
	d.Reclaim()
	return d.backend.Alloc(dt, n)
}

// Reclaim frees now the buffers of every tensor on d that the program no
// longer reaches, instead of at d's next allocations after the garbage
// collector happens to run: it runs a collection, waits for the cleanups it
// queued, and frees what they handed over. Empty calls it when the backend
// runs out of memory. It must be called by the goroutine driving d. On a
// backend that is not a TryAllocator it only runs the collection.
func (d *Device) Reclaim() {
	// One collection is enough: a tensor's cleanup (unlike a finalizer)
	// is queued by the same cycle that finds the tensor unreachable, and
	// a whole dropped graph becomes unreachable at once because cleanups
	// hold storages, which point at no tensor.
	runtime.GC()
	awaitCleanups(time.Second)
	d.drain()
}

// deferFree hands b to d, to be freed on d's goroutine; cleanups call it.
func (d *Device) deferFree(b Buffer) {
	d.pendingMu.Lock()
	d.pending = append(d.pending, b)
	d.hasPending.Store(true)
	d.pendingMu.Unlock()
}

// drain frees the buffers cleanups handed over. It runs before every
// allocation, so Free is only ever called by the goroutine driving the
// device, never concurrently with its kernels, and a buffer freed here can
// be handed out again by the allocation that follows.
func (d *Device) drain() {
	if !d.hasPending.Load() {
		return
	}
	d.pendingMu.Lock()
	bufs := d.pending
	d.pending = nil
	d.hasPending.Store(false)
	d.pendingMu.Unlock()
	for _, b := range bufs {
		d.free(b)
	}
}

// free returns b to the backend; every buffer a tensor held ends here.
func (d *Device) free(b Buffer) {
	d.buffers.Add(-1)
	d.backend.Free(b)
}

// awaitCleanups waits, at most timeout, until the runtime has run every
// cleanup queued so far. The runtime offers no call for that, but its
// metrics count cleanups queued and executed.
func awaitCleanups(timeout time.Duration) {
	s := []metrics.Sample{{Name: "/gc/cleanups/queued:cleanups"}, {Name: "/gc/cleanups/executed:cleanups"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return // a runtime without the metrics: the next allocations drain what arrives later
	}
	queued := s[0].Value.Uint64()
	deadline := time.Now().Add(timeout)
	for s[1].Value.Uint64() < queued && time.Now().Before(deadline) {
		time.Sleep(10 * time.Microsecond)
		metrics.Read(s[1:])
	}
}
