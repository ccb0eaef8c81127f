//go:build cuda

package cuda

import (
	"fmt"
	"unsafe"

	"gorgonia.org/cu"
)

// stagingBytes is the most one host<->device transfer step moves; larger
// ones go in steps.
const stagingBytes = 16 << 20

// staging is a page-locked host buffer through which the backend moves
// data between Go memory and the device: the driver copies pageable
// memory through its own bounce buffer anyway, synchronously, so staging
// through one the backend owns costs one host copy and lets the device
// transfer run at full speed. An upload returns once its data is in the
// buffer, without waiting for the device to take it; the next use of the
// buffer waits for that (an event), usually long done.
type staging struct {
	p       unsafe.Pointer
	size    int
	drained cu.Event // recorded after the last upload out of the buffer
	pending bool     // drained was recorded and may not have been reached
}

// stagingBuffer returns the staging memory, at least bytes long (up to
// stagingBytes), allocating it on first use. The caller holds the backend.
func (b *Backend) stagingBuffer(op string, bytes int) ([]byte, error) {
	s := &b.staging
	want := min(max(bytes, 1<<20), stagingBytes)
	if s.size < want {
		b.await(op) // an upload in flight still reads the old buffer
		s.release()
		p, err := hostAlloc(want)
		if err != nil {
			return nil, err
		}
		s.p, s.size = p, want
	}
	return unsafe.Slice((*byte)(s.p), s.size), nil
}

// await waits until the device has taken the data of the last upload out
// of the staging buffer.
func (b *Backend) await(op string) {
	if b.staging.pending {
		b.staging.pending = false
		b.awaitEvent(op, b.staging.drained)
	}
}

// release frees the staging memory; the caller has waited for the
// uploads out of it.
func (s *staging) release() {
	if s.p != nil {
		// Only fails on a pointer it did not allocate.
		_ = hostFree(s.p)
		s.p, s.size = nil, 0
	}
}

// close frees the staging memory and its event, once the stream is idle.
func (s *staging) close() error {
	s.release()
	s.pending = false
	if s.drained == (cu.Event{}) {
		return nil
	}
	return cu.DestroyEvent(&s.drained)
}

// upload copies src into device memory at dst through the staging buffer,
// waiting before each refill until the device has taken the previous one.
// The caller holds the backend.
func (b *Backend) upload(op string, dst cu.DevicePtr, src []byte) {
	s := &b.staging
	for len(src) > 0 {
		b.await(op)
		stage, err := b.stagingBuffer(op, len(src))
		if err != nil {
			panic(wrap(b, op, "", err))
		}
		n := copy(stage, src)
		if err := cu.MemcpyHtoDAsync(dst, unsafe.Pointer(&stage[0]), int64(n), b.stream); err != nil {
			panic(wrap(b, op, "cuMemcpyHtoDAsync", err))
		}
		if s.drained == (cu.Event{}) {
			s.drained = b.newEvent(op)
		}
		b.record(op, s.drained, b.stream)
		s.pending = true
		src, dst = src[n:], dst+cu.DevicePtr(n)
	}
}

// download copies device memory at src into dst through the staging
// buffer, after the work queued before it: the stream runs in order, so an
// upload out of the buffer in flight is done before the device writes it.
func (b *Backend) download(op string, dst []byte, src cu.DevicePtr) {
	for len(dst) > 0 {
		stage, err := b.stagingBuffer(op, len(dst))
		if err != nil {
			panic(wrap(b, op, "", err))
		}
		n := min(len(stage), len(dst))
		if err := cu.MemcpyDtoHAsync(unsafe.Pointer(&stage[0]), src, int64(n), b.stream); err != nil {
			panic(wrap(b, op, "cuMemcpyDtoHAsync", err))
		}
		b.sync(op)
		b.staging.pending = false // the stream is idle: every upload is done
		copy(dst, stage[:n])
		dst, src = dst[n:], src+cu.DevicePtr(n)
	}
}

// wrap returns err annotated with the backend, the op and, when known, the
// kernel or driver call that failed.
func wrap(b *Backend, op, kernel string, err error) error {
	if kernel == "" {
		return fmt.Errorf("cuda: %s: %s: %w", b.name, op, err)
	}
	return fmt.Errorf("cuda: %s: %s: %s: %w", b.name, op, kernel, err)
}
