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
// transfer run at full speed.
type staging struct {
	p    unsafe.Pointer
	size int
}

// buffer returns the staging memory, at least bytes long (up to
// stagingBytes), allocating it on first use.
func (s *staging) buffer(bytes int) ([]byte, error) {
	want := min(max(bytes, 1<<20), stagingBytes)
	if s.size < want {
		s.release()
		p, err := hostAlloc(want)
		if err != nil {
			return nil, err
		}
		s.p, s.size = p, want
	}
	return unsafe.Slice((*byte)(s.p), s.size), nil
}

func (s *staging) release() {
	if s.p != nil {
		// Only fails on a pointer it did not allocate.
		_ = hostFree(s.p)
		s.p, s.size = nil, 0
	}
}

// upload copies src into device memory at dst through the staging buffer,
// waiting for each step before refilling it. The caller holds the backend.
func (b *Backend) upload(op string, dst cu.DevicePtr, src []byte) {
	for len(src) > 0 {
		stage, err := b.staging.buffer(len(src))
		if err != nil {
			panic(wrap(b, op, "", err))
		}
		n := copy(stage, src)
		if err := cu.MemcpyHtoDAsync(dst, unsafe.Pointer(&stage[0]), int64(n), b.stream); err != nil {
			panic(wrap(b, op, "cuMemcpyHtoDAsync", err))
		}
		b.sync(op)
		src, dst = src[n:], dst+cu.DevicePtr(n)
	}
}

// download copies device memory at src into dst through the staging
// buffer, after the work queued before it.
func (b *Backend) download(op string, dst []byte, src cu.DevicePtr) {
	for len(dst) > 0 {
		stage, err := b.staging.buffer(len(dst))
		if err != nil {
			panic(wrap(b, op, "", err))
		}
		n := min(len(stage), len(dst))
		if err := cu.MemcpyDtoHAsync(unsafe.Pointer(&stage[0]), src, int64(n), b.stream); err != nil {
			panic(wrap(b, op, "cuMemcpyDtoHAsync", err))
		}
		b.sync(op)
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
