//go:build cuda

package cuda

import (
	"fmt"
	"unsafe"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
	"gorgonia.org/cu"
)

// buffer is a block of device memory from a backend's allocator.
type buffer struct {
	ptr   cu.DevicePtr
	n     int
	dt    autograd.DType
	class int64 // the allocator's size class; 0 for an empty buffer
	owner *Backend
}

// Len returns the number of elements.
func (b *buffer) Len() int { return b.n }

// DType returns the element type.
func (b *buffer) DType() autograd.DType { return b.dt }

// bytes returns the buffer's length in bytes.
func (b *buffer) bytes() int64 { return int64(b.n) * int64(b.dt.Size()) }

// dev returns buf as this backend's buffer of dtype dt, panicking when it
// is another backend's, of another dtype, or freed.
func (b *Backend) dev(op string, buf autograd.Buffer, dt autograd.DType) *buffer {
	d, ok := buf.(*buffer)
	switch {
	case !ok:
		panic(fmt.Sprintf("cuda: %s: want a cuda buffer, got %T", op, buf))
	case d.owner != b:
		panic(fmt.Sprintf("cuda: %s: buffer of %s used on %s", op, d.owner.name, b.name))
	case d.dt != dt:
		panic(fmt.Sprintf("cuda: %s: want a %v buffer, got %v", op, dt, d.dt))
	case d.ptr == 0 && d.n > 0:
		panic(fmt.Sprintf("cuda: %s: buffer used after Free", op))
	}
	return d
}

// f32 returns buf as a Float32 device buffer of n elements exactly.
func (b *Backend) f32(op string, buf autograd.Buffer, n int) *buffer {
	d := b.dev(op, buf, autograd.Float32)
	mustLen(op, n, d.n)
	return d
}

// i32 returns buf as an Int32 device buffer of n elements exactly.
func (b *Backend) i32(op string, buf autograd.Buffer, n int) *buffer {
	d := b.dev(op, buf, autograd.Int32)
	mustLen(op, n, d.n)
	return d
}

// mustLen panics unless got equals want: a kernel was handed a buffer that
// does not match the shape it was told.
func mustLen(op string, want, got int) {
	if got != want {
		panic(fmt.Sprintf("cuda: %s: buffer of %d elements, want %d", op, got, want))
	}
}

// Alloc returns a device buffer of n elements of dt with unspecified
// contents. It panics on an unsupported dtype or when the device is out of
// memory even after its cache is emptied.
func (b *Backend) Alloc(dt autograd.DType, n int) autograd.Buffer {
	buf, err := b.TryAlloc(dt, n)
	if err != nil {
		panic(err)
	}
	return buf
}

// Free returns buf's memory to the backend's cache.
func (b *Backend) Free(buf autograd.Buffer) {
	d := b.dev("Free", buf, buf.DType())
	if d.ptr == 0 {
		return
	}
	defer b.enter()()
	b.alloc.put(d.ptr, d.class)
	d.ptr = 0
}

// WriteFloat32 copies src from host memory into dst.
func (b *Backend) WriteFloat32(dst autograd.Buffer, src []float32) {
	d := b.f32("WriteFloat32", dst, len(src))
	b.write("WriteFloat32", d, unsafe.Pointer(unsafe.SliceData(src)))
}

// ReadFloat32 copies src into host memory dst.
func (b *Backend) ReadFloat32(dst []float32, src autograd.Buffer) {
	s := b.f32("ReadFloat32", src, len(dst))
	b.read("ReadFloat32", unsafe.Pointer(unsafe.SliceData(dst)), s)
}

// WriteInt32 copies src from host memory into dst.
func (b *Backend) WriteInt32(dst autograd.Buffer, src []int32) {
	d := b.i32("WriteInt32", dst, len(src))
	b.write("WriteInt32", d, unsafe.Pointer(unsafe.SliceData(src)))
}

// ReadInt32 copies src into host memory dst.
func (b *Backend) ReadInt32(dst []int32, src autograd.Buffer) {
	s := b.i32("ReadInt32", src, len(dst))
	b.read("ReadInt32", unsafe.Pointer(unsafe.SliceData(dst)), s)
}

// WriteUint8 copies src from host memory into dst.
func (b *Backend) WriteUint8(dst autograd.Buffer, src []uint8) {
	d := b.dev("WriteUint8", dst, autograd.Uint8)
	mustLen("WriteUint8", len(src), d.n)
	b.write("WriteUint8", d, unsafe.Pointer(unsafe.SliceData(src)))
}

func (b *Backend) write(op string, d *buffer, src unsafe.Pointer) {
	if d.n == 0 {
		return
	}
	defer b.enter()()
	b.upload(op, d.ptr, unsafe.Slice((*byte)(src), d.bytes()))
}

func (b *Backend) read(op string, dst unsafe.Pointer, s *buffer) {
	if s.n == 0 {
		return
	}
	defer b.enter()()
	b.download(op, unsafe.Slice((*byte)(dst), s.bytes()), s.ptr)
}

// Copy copies src into dst on the device; both have one length and dtype.
func (b *Backend) Copy(dst, src autograd.Buffer) {
	s := b.dev("Copy", src, src.DType())
	d := b.dev("Copy", dst, s.dt)
	mustLen("Copy", s.n, d.n)
	if s.n == 0 {
		return
	}
	defer b.enter()()
	if err := cu.MemcpyDtoDAsync(d.ptr, s.ptr, s.bytes(), b.stream); err != nil {
		panic(wrap(b, "Copy", "cuMemcpyDtoDAsync", err))
	}
	b.checkDebug("Copy", "cuMemcpyDtoDAsync")
}

// Fill sets every element of dst (Float32) to v.
func (b *Backend) Fill(dst autograd.Buffer, v float32) {
	d := b.dev("Fill", dst, autograd.Float32)
	b.launch1("Fill", kernels.Fill, int64(d.n), d, int64(d.n), v)
}
