//go:build cuda

package cuda

import (
	"fmt"
	"slices"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// activations returns the activation buffers of one call (each of n
// elements; a nil one stays nil, a null pointer to the kernel), which
// share one dtype, and whether that is BFloat16 rather than Float32: the
// kernels that read and write activations come in both.
func (b *Backend) activations(op string, n int, bufs ...autograd.Buffer) (acts []*buffer, bf16 bool) {
	dt := autograd.Float32
	if i := slices.IndexFunc(bufs, func(buf autograd.Buffer) bool { return buf != nil }); i >= 0 {
		dt = bufs[i].DType()
	}
	if dt != autograd.Float32 && dt != autograd.BFloat16 {
		panic(fmt.Sprintf("cuda: %s: activations of %v", op, dt))
	}
	acts = make([]*buffer, len(bufs))
	for i, buf := range bufs {
		if buf != nil {
			acts[i] = b.dev(op, buf, dt)
			mustLen(op, n, acts[i].n)
		}
	}
	return acts, dt == autograd.BFloat16
}

// activationPair is activations for an input x of nx elements and an
// output y of ny, which share one dtype.
func (b *Backend) activationPair(op string, x autograd.Buffer, nx int, y autograd.Buffer, ny int) (xd, yd *buffer, bf16 bool) {
	if x.DType() != y.DType() {
		panic(fmt.Sprintf("cuda: %s: activations of %v into %v", op, x.DType(), y.DType()))
	}
	xs, bf16 := b.activations(op, nx, x)
	ys, _ := b.activations(op, ny, y)
	return xs[0], ys[0], bf16
}

// dtypeKernel returns f32 for Float32 activations and b16 for BFloat16.
func dtypeKernel(bf16 bool, f32, b16 *kernels.Kernel) *kernels.Kernel {
	if bf16 {
		return b16
	}
	return f32
}
