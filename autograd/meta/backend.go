package meta

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
)

var _ autograd.Backend = (*Backend)(nil)

// buffer is a data-less stand-in for device memory.
type buffer struct {
	n  int
	dt autograd.DType
}

// Len returns the number of elements.
func (b buffer) Len() int { return b.n }

// DType returns the element type.
func (b buffer) DType() autograd.DType { return b.dt }

// Backend implements autograd.Backend without computing anything. Reads
// return zeros; every other kernel leaves its outputs as they were (which is
// to say, without contents). It counts the bytes its buffers would hold,
// so that running a training step on it measures the step's memory. The
// zero value is ready to use.
type Backend struct {
	inUse, peak int64
}

// New returns a meta backend.
func New() *Backend { return &Backend{} }

// NewDevice returns an autograd device on a meta backend.
func NewDevice() *autograd.Device { return autograd.NewDevice(New()) }

// Name returns "meta".
func (*Backend) Name() string { return "meta" }

// Alloc returns a buffer of n elements of dt that holds no data. It panics
// for a negative n.
func (b *Backend) Alloc(dt autograd.DType, n int) autograd.Buffer {
	if n < 0 {
		panic(fmt.Sprintf("meta: Alloc of %d elements", n))
	}
	b.inUse += int64(n) * int64(dt.Size())
	b.peak = max(b.peak, b.inUse)
	return buffer{n: n, dt: dt}
}

// Free counts buf's bytes as given back.
func (b *Backend) Free(buf autograd.Buffer) { b.inUse -= int64(buf.Len()) * int64(buf.DType().Size()) }

// InUse returns the bytes of the buffers allocated and not freed.
func (b *Backend) InUse() int64 { return b.inUse }

// Peak returns the largest InUse so far.
func (b *Backend) Peak() int64 { return b.peak }

// WriteFloat32 does nothing: the data has nowhere to go.
func (*Backend) WriteFloat32(autograd.Buffer, []float32) {}

// ReadFloat32 sets dst to zeros.
func (*Backend) ReadFloat32(dst []float32, _ autograd.Buffer) { clear(dst) }

// WriteInt32 does nothing.
func (*Backend) WriteInt32(autograd.Buffer, []int32) {}

// ReadInt32 sets dst to zeros.
func (*Backend) ReadInt32(dst []int32, _ autograd.Buffer) { clear(dst) }

// WriteUint8 does nothing.
func (*Backend) WriteUint8(autograd.Buffer, []uint8) {}
