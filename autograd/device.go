package autograd

import (
	"sync"
	"sync/atomic"
)

// Device pairs a Backend with the autograd state that belongs to one device:
// whether ops are being recorded, the dropout seed sequence, and the
// buffers of dropped tensors waiting to be freed.
// A Device is driven by one goroutine at a time.
type Device struct {
	backend   Backend
	noGrad    int
	seed      uint64
	dropCalls uint64

	// tryAlloc is backend when its memory is outside the Go heap (see
	// TryAllocator), nil otherwise. Tensors get cleanups only then.
	tryAlloc TryAllocator

	// Buffers of tensors the garbage collector found unreachable, handed
	// over by cleanups (on runtime goroutines) and freed by the goroutine
	// driving the device on its next allocation; see drain.
	pendingMu  sync.Mutex
	pending    []Buffer
	hasPending atomic.Bool // len(pending) > 0, read without the lock by every allocation
}

// NewDevice returns a Device that runs on b and records gradients.
func NewDevice(b Backend) *Device {
	ta, _ := b.(TryAllocator)
	return &Device{backend: b, tryAlloc: ta}
}

// Backend returns the backend the device runs on.
func (d *Device) Backend() Backend { return d.backend }

// Name returns the backend's name.
func (d *Device) Name() string { return d.backend.Name() }

// NoGrad stops recording ops on d until the returned function is called:
//
//	defer dev.NoGrad()()
//
// Calls nest.
func (d *Device) NoGrad() (restore func()) {
	d.noGrad++
	return func() { d.noGrad-- }
}

// Recording reports whether ops on d record backward nodes.
func (d *Device) Recording() bool { return d.noGrad == 0 }

// SeedDropout restarts the dropout sequence: every Dropout call after it
// draws a mask from (seed, number of Dropout calls since).
func (d *Device) SeedDropout(seed uint64) { d.seed, d.dropCalls = seed, 0 }

// DropoutState returns the seed and call count, so that a checkpoint can
// restore the exact sequence with SetDropoutState.
func (d *Device) DropoutState() (seed, calls uint64) { return d.seed, d.dropCalls }

// SetDropoutState restores a sequence saved by DropoutState.
func (d *Device) SetDropoutState(seed, calls uint64) { d.seed, d.dropCalls = seed, calls }

// nextDropoutSeed returns the key of the next dropout mask.
func (d *Device) nextDropoutSeed() uint64 {
	d.dropCalls++
	return splitmix64(d.seed ^ splitmix64(d.dropCalls))
}
