//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/gocnn/gocnn/autograd"
	"gorgonia.org/cu"
)

var _ autograd.TryAllocator = (*Backend)(nil)

// MemStats reports a backend's device memory, in bytes.
type MemStats struct {
	// Current is held by live buffers (rounded up to their size class).
	Current int64
	// Peak is the largest Current seen.
	Peak int64
	// Cached is held by freed buffers kept for reuse.
	Cached int64
}

// allocator caches freed device blocks by size class, so that the steady
// state of a training step allocates without calling the driver (whose
// cuMemFree also synchronises the device). A freed block may be handed out
// again at once: all the backend's work runs on one stream, so kernels
// queued later run after those that used the block before.
type allocator struct {
	free        map[int64][]cu.DevicePtr
	stats       MemStats
	driverFrees uint64 // cuMemFree calls, each a host wait (see Activity)
}

// minClass is the smallest block: the driver's allocation alignment, which
// also keeps every buffer aligned for float4 access.
const minClass = 512

// sizeClass rounds bytes up to its class: powers of two up to 1 MiB, then
// sixteen classes per doubling, so that a block wastes at most a sixteenth
// of itself on large tensors (with four, ResNet-50's peak at batch 64 was
// 12 % higher). A training step allocates the same sizes every time, so
// finer classes cost the cache little reuse.
func sizeClass(bytes int64) int64 {
	if bytes <= minClass {
		return minClass
	}
	p := int64(1) << (63 - bits.LeadingZeros64(uint64(bytes-1)) + 1) // next power of two
	if p <= 1<<20 {
		return p
	}
	step := p / 32 // sixteen steps between p/2 and p
	return (bytes + step - 1) / step * step
}

// get returns a block of at least bytes (> 0) and its class. When the
// device is out of memory it frees the cache and tries once more.
func (a *allocator) get(bytes int64) (cu.DevicePtr, int64, error) {
	class := sizeClass(bytes)
	if list := a.free[class]; len(list) > 0 {
		p := list[len(list)-1]
		a.free[class] = list[:len(list)-1]
		a.stats.Cached -= class
		a.hold(class)
		return p, class, nil
	}
	p, err := cu.MemAlloc(class)
	if errors.Is(err, cu.OutOfMemory) {
		if err = a.trim(); err == nil {
			p, err = cu.MemAlloc(class)
		}
	}
	if err != nil {
		return 0, 0, err
	}
	a.hold(class)
	return p, class, nil
}

func (a *allocator) hold(class int64) {
	a.stats.Current += class
	a.stats.Peak = max(a.stats.Peak, a.stats.Current)
}

// put returns a block to the cache.
func (a *allocator) put(p cu.DevicePtr, class int64) {
	if a.free == nil {
		a.free = map[int64][]cu.DevicePtr{}
	}
	a.free[class] = append(a.free[class], p)
	a.stats.Current -= class
	a.stats.Cached += class
}

// trim gives every cached block back to the driver.
func (a *allocator) trim() error {
	for class, list := range a.free {
		for len(list) > 0 {
			a.driverFrees++
			if err := cu.MemFree(list[len(list)-1]); err != nil {
				a.free[class] = list
				return err
			}
			list = list[:len(list)-1]
			a.stats.Cached -= class
		}
		delete(a.free, class)
	}
	return nil
}

// TryAlloc returns a device buffer of n elements of dt with unspecified
// contents, or an *autograd.OutOfMemoryError when the device is out of
// memory even after the cache is emptied: autograd.Empty then frees
// the buffers of tensors the program dropped (autograd.Device.Reclaim) and
// calls Alloc again. It panics on an unsupported dtype.
func (b *Backend) TryAlloc(dt autograd.DType, n int) (autograd.Buffer, error) {
	if dt != autograd.Float32 && dt != autograd.BFloat16 && dt != autograd.Int32 && dt != autograd.Uint8 {
		panic(fmt.Sprintf("cuda: %v buffers are not supported", dt))
	}
	buf := &buffer{n: n, dt: dt, owner: b}
	if n == 0 {
		return buf, nil
	}
	defer b.enter()()
	p, class, err := b.alloc.get(buf.bytes())
	if errors.Is(err, cu.OutOfMemory) {
		_, total, _ := cu.MemInfo()
		return nil, &autograd.OutOfMemoryError{Device: b.name, Bytes: buf.bytes(), InUse: b.alloc.stats.Current,
			Capacity: total, Err: err}
	}
	if err != nil {
		return nil, wrap(b, "Alloc", "cuMemAlloc", err)
	}
	buf.ptr, buf.class = p, class
	return buf, nil
}

// MemStats returns the backend's device memory use.
func (b *Backend) MemStats() MemStats {
	defer b.enter()()
	return b.alloc.stats
}

// EmptyCache gives the memory of freed buffers back to the driver, after
// waiting for queued work that may still use it.
func (b *Backend) EmptyCache() {
	defer b.enter()()
	b.sync("EmptyCache")
	if err := b.alloc.trim(); err != nil {
		panic(wrap(b, "EmptyCache", "", err))
	}
}
