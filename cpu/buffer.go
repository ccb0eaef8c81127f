package cpu

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
)

// f32 is a Float32 buffer in host memory.
type f32 []float32

// Len returns the number of elements.
func (b f32) Len() int { return len(b) }

// DType returns autograd.Float32.
func (f32) DType() autograd.DType { return autograd.Float32 }

// i32 is an Int32 buffer in host memory.
type i32 []int32

// Len returns the number of elements.
func (b i32) Len() int { return len(b) }

// DType returns autograd.Int32.
func (i32) DType() autograd.DType { return autograd.Int32 }

// u8 is a Uint8 buffer (image pixels) in host memory.
type u8 []uint8

// Len returns the number of elements.
func (b u8) Len() int { return len(b) }

// DType returns autograd.Uint8.
func (u8) DType() autograd.DType { return autograd.Uint8 }

// Float32s returns the host slice behind a Float32 buffer of this backend,
// for tests and for code that reads weights without copying.
func Float32s(b autograd.Buffer) []float32 { return floats(b) }

func floats(b autograd.Buffer) f32 {
	f, ok := b.(f32)
	if !ok {
		panic(fmt.Sprintf("cpu: want a cpu float32 buffer, got %T", b))
	}
	return f
}

func uint8s(b autograd.Buffer) u8 {
	v, ok := b.(u8)
	if !ok {
		panic(fmt.Sprintf("cpu: want a cpu uint8 buffer, got %T", b))
	}
	return v
}

func ints(b autograd.Buffer) i32 {
	v, ok := b.(i32)
	if !ok {
		panic(fmt.Sprintf("cpu: want a cpu int32 buffer, got %T", b))
	}
	return v
}

// Alloc returns a buffer of n elements; a float32 one comes from scratch:
// its contents are stale.
func (b *Backend) Alloc(dt autograd.DType, n int) autograd.Buffer {
	switch dt {
	case autograd.Float32:
		return f32(b.scratch(n))
	case autograd.Int32:
		return make(i32, n)
	case autograd.BFloat16:
		return make(b16, n)
	case autograd.Uint8:
		return make(u8, n)
	}
	panic(fmt.Sprintf("cpu: %v buffers are not supported", dt))
}

// Free keeps a float32 buffer for Alloc to reuse (see freeList); int32
// and uint8 buffers, and float32 ones never reused, are left to the
// garbage collector.
func (b *Backend) Free(buf autograd.Buffer) {
	if v, ok := buf.(f32); ok {
		b.free.put(v)
	}
}

// WriteFloat32 copies src into dst.
func (b *Backend) WriteFloat32(dst autograd.Buffer, src []float32) { copyExact(floats(dst), src) }

// ReadFloat32 copies src into dst.
func (b *Backend) ReadFloat32(dst []float32, src autograd.Buffer) { copyExact(dst, floats(src)) }

// WriteInt32 copies src into dst.
func (b *Backend) WriteInt32(dst autograd.Buffer, src []int32) { copyExact(ints(dst), src) }

// ReadInt32 copies src into dst.
func (b *Backend) ReadInt32(dst []int32, src autograd.Buffer) { copyExact(dst, ints(src)) }

// WriteUint8 copies src into dst.
func (b *Backend) WriteUint8(dst autograd.Buffer, src []uint8) { copyExact(uint8s(dst), src) }

// Copy copies src into dst.
func (b *Backend) Copy(dst, src autograd.Buffer) {
	switch d := dst.(type) {
	case f32:
		copyExact(d, floats(src))
	case i32:
		copyExact(d, ints(src))
	case b16:
		copyExact(d, bfloat16s(src))
	default:
		panic(fmt.Sprintf("cpu: Copy into %T", dst))
	}
}

// Fill sets every element of dst to v.
func (b *Backend) Fill(dst autograd.Buffer, v float32) {
	d := floats(dst)
	for i := range d {
		d[i] = v
	}
}

func copyExact[T any, S ~[]T, D ~[]T](dst D, src S) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("cpu: copy of %d elements into %d", len(src), len(dst)))
	}
	copy(dst, src)
}
