//go:build cuda

package cuda

import (
	"fmt"
	"unsafe"

	"github.com/gocnn/gocnn/autograd"
	"gorgonia.org/cu"
)

// Uploader moves training batches (uint8 images and int32 labels or masks)
// to the device without blocking the host, so that the copy of batch k+1
// runs while the device computes batch k. It has two slots, each a
// page-locked host buffer and device memory of its own, and a copy stream:
//
//   - Put fills the next slot's host buffer and queues its copy on the copy
//     stream, after the backend's stream has finished with the slot's
//     device memory (an event, waited for on the device);
//   - Take makes the backend's stream wait for that copy (an event again),
//     hands the slot's device buffers to a function that queues the work
//     reading them, and records when that work is done.
//
// The host waits only when it refills a slot whose copy has not finished,
// two batches later: in a training loop that reads its loss every step,
// never. Methods must not be called concurrently.
type Uploader struct {
	b       *Backend
	stream  cu.Stream
	slots   [2]uploadSlot
	put     int // batches Put so far
	taken   int // batches Taken so far
	maxPix  int // capacity of a slot, in pixels
	maxLabs int // and in labels
}

// uploadSlot is one batch's staging: host memory for pixels then labels,
// the device copies, and the two events that order their reuse.
type uploadSlot struct {
	host      unsafe.Pointer
	pix, labs *buffer  // the slot's device memory, at full capacity
	n, m      int      // pixels and labels of the batch it holds
	copied    cu.Event // on the copy stream, after the copy to the device
	consumed  cu.Event // on the backend's stream, after the work Take queued
}

// NewUploader returns an uploader for batches of up to pixels uint8 pixels
// and labels int32 labels.
func (b *Backend) NewUploader(pixels, labels int) (*Uploader, error) {
	u := &Uploader{b: b, maxPix: pixels, maxLabs: labels}
	defer b.enter()()
	var err error
	if u.stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
		return nil, wrap(b, "NewUploader", "cuStreamCreate", err)
	}
	for i := range u.slots {
		if err := u.slots[i].open(b, pixels, labels); err != nil {
			u.close()
			return nil, err
		}
	}
	return u, nil
}

func (s *uploadSlot) open(b *Backend, pixels, labels int) error {
	var err error
	if s.host, err = hostAlloc(pixels + 4*labels); err != nil {
		return wrap(b, "NewUploader", "", err)
	}
	for _, part := range []struct {
		buf **buffer
		dt  autograd.DType
		n   int
	}{{&s.pix, autograd.Uint8, pixels}, {&s.labs, autograd.Int32, labels}} {
		d := &buffer{n: part.n, dt: part.dt, owner: b}
		if d.ptr, d.class, err = b.alloc.get(max(d.bytes(), 1)); err != nil {
			return wrap(b, "NewUploader", "cuMemAlloc", err)
		}
		*part.buf = d
	}
	s.copied, s.consumed = b.newEvent("NewUploader"), b.newEvent("NewUploader")
	return nil
}

// Put queues the copy of a batch to the device: pixels and labels are
// copied into page-locked memory before Put returns and may be reused. It
// panics when two batches are already waiting for Take, or when the batch
// is larger than the uploader's capacity.
func (u *Uploader) Put(pixels []uint8, labels []int32) {
	const op = "Uploader.Put"
	if len(pixels) > u.maxPix || len(labels) > u.maxLabs {
		panic(fmt.Sprintf("cuda: %s: %d pixels and %d labels, capacity %d and %d", op, len(pixels), len(labels), u.maxPix, u.maxLabs))
	}
	if u.put-u.taken == len(u.slots) {
		panic(fmt.Sprintf("cuda: %s: %d batches already wait for Take", op, len(u.slots)))
	}
	b := u.b
	defer b.enter()()
	s := &u.slots[u.put%len(u.slots)]
	// An event never recorded counts as reached, and waiting for it is a
	// no-op: the first two batches wait for nothing.
	b.awaitEvent(op, s.copied) // the host buffer fed the copy of two batches ago
	host := unsafe.Slice((*byte)(s.host), u.maxPix+4*u.maxLabs)
	copy(host, pixels)
	labelBytes := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(labels))), 4*len(labels))
	copy(host[u.maxPix:], labelBytes)
	if err := u.stream.Wait(s.consumed, 0); err != nil {
		panic(wrap(b, op, "cuStreamWaitEvent", err))
	}
	u.copy(op, s.pix.ptr, host[:len(pixels)])
	u.copy(op, s.labs.ptr, host[u.maxPix:u.maxPix+len(labelBytes)])
	b.record(op, s.copied, u.stream)
	s.n, s.m = len(pixels), len(labels)
	u.put++
}

func (u *Uploader) copy(op string, dst cu.DevicePtr, src []byte) {
	if len(src) == 0 {
		return
	}
	if err := cu.MemcpyHtoDAsync(dst, unsafe.Pointer(&src[0]), int64(len(src)), u.stream); err != nil {
		panic(wrap(u.b, op, "cuMemcpyHtoDAsync", err))
	}
}

// Take hands the oldest batch Put and not taken to use, as device buffers
// of its pixels (Uint8) and labels (Int32) valid on the backend's stream:
// use queues the work that reads them (a conversion, a copy), which runs
// after their copy, and must not keep them. It panics when no batch waits.
func (u *Uploader) Take(use func(pixels, labels autograd.Buffer)) {
	const op = "Uploader.Take"
	if u.taken == u.put {
		panic(fmt.Sprintf("cuda: %s: no batch was Put", op))
	}
	b := u.b
	s := &u.slots[u.taken%len(u.slots)]
	func() {
		defer b.enter()()
		if err := b.stream.Wait(s.copied, 0); err != nil {
			panic(wrap(b, op, "cuStreamWaitEvent", err))
		}
	}()
	pix, labs := *s.pix, *s.labs
	pix.n, labs.n = s.n, s.m
	use(&pix, &labs)
	defer b.enter()()
	b.record(op, s.consumed, b.stream)
	u.taken++
}

// Close waits for the uploader's copies and for the work reading its
// buffers, and releases its memory, events and stream.
func (u *Uploader) Close() error {
	defer u.b.enter()()
	u.b.sync("Uploader.Close")
	return u.close()
}

// close releases what NewUploader made; the caller holds the backend.
func (u *Uploader) close() error {
	if err := u.stream.Synchronize(); err != nil {
		return wrap(u.b, "Uploader.Close", "cuStreamSynchronize", err)
	}
	u.b.activity.Syncs++
	for i := range u.slots {
		s := &u.slots[i]
		if s.host != nil {
			_ = hostFree(s.host) // fails only on a pointer it did not allocate
		}
		for _, d := range []*buffer{s.pix, s.labs} {
			if d != nil {
				u.b.alloc.put(d.ptr, d.class)
			}
		}
		for _, e := range []*cu.Event{&s.copied, &s.consumed} {
			if *e != (cu.Event{}) {
				if err := cu.DestroyEvent(e); err != nil {
					return wrap(u.b, "Uploader.Close", "cuEventDestroy", err)
				}
			}
		}
		*s = uploadSlot{}
	}
	return u.stream.Destroy()
}
