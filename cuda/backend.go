//go:build cuda

package cuda

import (
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/gocnn/gocnn/autograd"
	"gorgonia.org/cu"
)

var _ autograd.Backend = (*Backend)(nil)

// Options configure a Backend.
type Options struct {
	// Debug synchronises the stream and checks for errors after every
	// kernel launch, so a fault is reported by the launch that caused it.
	// The environment variable GOCNN_CUDA_DEBUG=1 sets it too.
	Debug bool
}

// Backend runs kernels on one GPU. Its methods may be called from any
// goroutine, one at a time (a mutex serialises them).
type Backend struct {
	mu       sync.Mutex
	ordinal  int
	name     string
	device   cu.Device
	ctx      cu.CUContext
	stream   cu.Stream
	sms      int
	debug    bool
	kernels  kernelCache
	alloc    allocator
	staging  staging
	activity Activity // but cuMemFree calls, which alloc counts
	// precision of convolutions and GEMMs (see SetPrecision)
	precision autograd.Precision
}

// New returns a backend on GPU ordinal (0-based), retaining its primary
// context and creating the backend's stream.
func New(ordinal int, opt Options) (*Backend, error) {
	dev, err := cu.GetDevice(ordinal)
	if err != nil {
		return nil, fmt.Errorf("cuda: device %d: %w", ordinal, err)
	}
	ctx, err := dev.RetainPrimaryCtx()
	if err != nil {
		return nil, fmt.Errorf("cuda: device %d: retain primary context: %w", ordinal, err)
	}
	b := &Backend{
		ordinal: ordinal,
		name:    fmt.Sprintf("cuda:%d", ordinal),
		device:  dev,
		ctx:     ctx,
		debug:   opt.Debug || os.Getenv("GOCNN_CUDA_DEBUG") == "1",
	}
	defer b.enter()()
	if b.sms, err = dev.Attribute(cu.MultiprocessorCount); err != nil {
		return nil, fmt.Errorf("cuda: device %d: %w", ordinal, err)
	}
	if b.stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
		return nil, fmt.Errorf("cuda: device %d: create stream: %w", ordinal, err)
	}
	return b, nil
}

// enter takes the backend's lock and makes its context current on this
// goroutine's OS thread, to which the goroutine stays locked until the
// returned function runs. Setting the context per call costs a driver call
// of well under a microsecond; the alternative, a goroutine locked to its
// thread serving requests, costs a channel round trip per call
// (BenchmarkCallOverhead measures both).
func (b *Backend) enter() (leave func()) {
	b.mu.Lock()
	runtime.LockOSThread()
	if err := cu.SetCurrentContext(b.ctx); err != nil {
		runtime.UnlockOSThread()
		b.mu.Unlock()
		panic(fmt.Errorf("cuda: %s: set current context: %w", b.name, err))
	}
	return func() {
		runtime.UnlockOSThread()
		b.mu.Unlock()
	}
}

// Name returns "cuda:N".
func (b *Backend) Name() string { return b.name }

// Ordinal returns the device's index.
func (b *Backend) Ordinal() int { return b.ordinal }

// DeviceName returns the GPU's name, e.g. "NVIDIA H100 80GB HBM3".
func (b *Backend) DeviceName() string {
	name, err := b.device.Name()
	if err != nil {
		return "unknown"
	}
	return name
}

// Synchronize waits until every kernel and copy queued on the backend has
// finished, and panics with the first asynchronous error the device
// reported.
func (b *Backend) Synchronize() {
	defer b.enter()()
	b.sync("Synchronize")
}

// sync waits for the stream; the caller holds the backend.
func (b *Backend) sync(op string) {
	b.activity.Syncs++
	if err := b.stream.Synchronize(); err != nil {
		panic(fmt.Errorf("cuda: %s: %s: %w", b.name, op, err))
	}
}

// Close waits for outstanding work and releases the backend's memory,
// stream and context reference. The backend must not be used afterwards.
func (b *Backend) Close() error {
	leave := b.enter()
	defer leave()
	b.activity.Syncs++
	if err := b.stream.Synchronize(); err != nil {
		return fmt.Errorf("cuda: %s: close: %w", b.name, err)
	}
	if err := b.staging.close(); err != nil {
		return fmt.Errorf("cuda: %s: close: %w", b.name, err)
	}
	if err := b.alloc.trim(); err != nil {
		return fmt.Errorf("cuda: %s: close: %w", b.name, err)
	}
	if err := b.kernels.unload(); err != nil {
		return fmt.Errorf("cuda: %s: close: %w", b.name, err)
	}
	if err := b.stream.Destroy(); err != nil {
		return fmt.Errorf("cuda: %s: close: %w", b.name, err)
	}
	return b.device.ReleasePrimaryCtx()
}

func (b *Backend) String() string { return fmt.Sprintf("%s(%s)", b.name, b.DeviceName()) }
