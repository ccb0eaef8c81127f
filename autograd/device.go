package autograd

import (
	"sync"
	"sync/atomic"
)

// Device pairs a Backend with the autograd state that belongs to one device:
// whether ops are being recorded, the dropout seed sequence, the open
// scope, and the buffers of dropped tensors waiting to be freed.
// A Device is driven by one goroutine at a time.
type Device struct {
	backend   Backend
	noGrad    int
	seed      uint64
	dropCalls uint64
	scope     *Scope // the innermost open scope, nil when none is

	activations DType // what ops store their results in; see SetActivationDType

	buffers   atomic.Int64  // buffers held by tensors; see Stats
	collected atomic.Uint64 // tensors the safety net reclaimed; see Stats

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

// Stats counts a device's tensor buffers, to check that a training step
// gives back everything it allocates.
type Stats struct {
	// Buffers is the number of buffers tensors hold now (views share
	// one); it returns to the same value after every training step.
	Buffers int64
	// Collected counts the tensors dropped without Release or a Scope that
	// the garbage collector found unreachable (on a TryAllocator backend,
	// the only kind whose tensors it watches): memory that went back to
	// the device late, when a collection happened to run. A training step
	// adds none.
	Collected uint64
}

// Stats returns d's counts.
func (d *Device) Stats() Stats {
	return Stats{Buffers: d.buffers.Load(), Collected: d.collected.Load()}
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
