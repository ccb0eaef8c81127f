package autograd

import (
	"fmt"
	"slices"
)

// Concat joins tensors along their last dimension (channels); every other
// dimension and the device must agree, and each must hold activations
// (Float32 or BFloat16), or it panics.
func Concat(xs ...*Tensor) *Tensor {
	if len(xs) == 0 {
		panic("autograd: Concat of no tensors")
	}
	lead := xs[0].shape
	if len(lead) == 0 {
		panic("autograd: Concat of scalars")
	}
	lead = lead[:len(lead)-1]
	total := 0
	for _, x := range xs {
		s := x.shape
		if len(s) != len(lead)+1 || !s[:len(lead)].Equal(lead) || x.dev != xs[0].dev || !x.DType().floating() {
			panic(fmt.Sprintf("autograd: Concat of %v %v on %s with %v on %s", x.DType(), s, x.dev.Name(), xs[0].shape, xs[0].dev.Name()))
		}
		total += s[len(s)-1]
	}
	xs = slices.Clone(xs) // the backward must not see a caller reusing its slice
	dev := xs[0].dev
	be := dev.backend
	bufs, dt, done := sameDType(xs...)
	y := Empty(dev, dt, append(lead.Clone(), total)...)
	rows := lead.Numel()
	offsets := make([]int, len(xs))
	off := 0
	for i, x := range xs {
		c := x.shape[len(lead)]
		be.CopyColumns(rows, c, bufs[i], c, 0, y.buf, total, off)
		offsets[i] = off
		off += c
	}
	done()
	return record("Concat", y, xs, func(dy *Tensor) []*Tensor {
		gs := make([]*Tensor, len(xs))
		for i, x := range xs {
			if !x.requiresGrad {
				continue
			}
			c := x.shape[len(lead)]
			gs[i] = Empty(dev, Float32, x.shape...)
			be.CopyColumns(rows, c, dy.buf, total, offsets[i], gs[i].buf, c, 0)
		}
		return gs
	})
}

// Narrow returns channels [offset, offset+size) of x's last dimension as a
// new tensor. It panics when the range does not fit.
func Narrow(x *Tensor, offset, size int) *Tensor {
	sameShape("Narrow", x)
	rows, c := x.shape.Rows()
	if offset < 0 || size < 0 || offset+size > c {
		panic(fmt.Sprintf("autograd: Narrow [%d, %d) of the last dimension of %v", offset, offset+size, x.shape))
	}
	be := x.dev.backend
	shape := x.shape.Clone()
	shape[len(shape)-1] = size
	y := Empty(x.dev, x.DType(), shape...)
	be.CopyColumns(rows, size, x.buf, c, offset, y.buf, size, 0)
	return record("Narrow", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Zeros(x.dev, x.shape...)
		be.CopyColumns(rows, size, dy.buf, size, 0, dx.buf, c, offset)
		return []*Tensor{dx}
	})
}

// Split cuts x's last dimension into consecutive pieces of the given sizes,
// each its own Narrow. It panics unless the sizes add up to that dimension.
func Split(x *Tensor, sizes ...int) []*Tensor {
	_, c := x.shape.Rows()
	total := 0
	for _, s := range sizes {
		total += s
	}
	if total != c {
		panic(fmt.Sprintf("autograd: Split of %v into %v", x.shape, sizes))
	}
	out := make([]*Tensor, len(sizes))
	off := 0
	for i, s := range sizes {
		out[i] = Narrow(x, off, s)
		off += s
	}
	return out
}
