//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

var (
	_ autograd.PrecisionSetter    = (*Backend)(nil)
	_ autograd.PrecisionSupporter = (*Backend)(nil)
)

// SetPrecision makes Conv2D, its backward passes and Gemm compute in p
// from then on, with the numerics of cpu.Backend's SetPrecision (operands
// and results rounded to p, sums in fp32). At autograd.BF16 and
// autograd.TF32 the convolutions (but depthwise ones) and GEMMs run on
// tensor cores (kernels/conv_bf16.cu and gemm_bf16.cu, conv_tf32.cu and
// gemm_tf32.cu); depthwise convolutions run their fp32 kernels on operands
// rounded to p and round the result. It panics for a precision
// SupportsPrecision refuses.
func (b *Backend) SetPrecision(p autograd.Precision) {
	if !b.SupportsPrecision(p) {
		panic(fmt.Sprintf("cuda: SetPrecision(%v): the GPU backend has no %v kernels", p, p))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.precision = p
}

// SupportsPrecision reports whether SetPrecision takes p: fp32, tf32 and
// bf16.
func (b *Backend) SupportsPrecision(p autograd.Precision) bool {
	return p == autograd.FP32 || p == autograd.TF32 || p == autograd.BF16
}

// narrow prepares a call at the backend's precision for kernels that
// compute in fp32: it replaces each Float32 operand by a copy rounded to
// the precision and returns what to defer, which rounds a Float32 result
// in place and releases the copies. A BFloat16 operand is exact in either
// format, and a kernel rounds its BFloat16 result itself, once, to bf16,
// the one precision whose activations are stored in bf16 (at tf32 the
// result would round twice). At fp32 it changes nothing. The caller holds
// the backend.
func (b *Backend) narrow(op string, result *buffer, operands ...**buffer) (done func()) {
	if b.precision == autograd.FP32 {
		return func() {}
	}
	kern := kernels.RoundBF16
	if b.precision == autograd.TF32 {
		kern = kernels.RoundTF32
	}
	round := func(dst, src *buffer, n int) {
		b.launch(op, kern, b.grid1(int64(n)), dim3{threads, 1, 1}, 0, dst, src, n)
	}
	var copies []*buffer
	for _, o := range operands {
		if (*o).dt != autograd.Float32 {
			continue
		}
		n := (*o).n
		c := b.scratch(op, 4*max(n, 1))
		c.n = n
		round(c, *o, n)
		*o = c
		copies = append(copies, c)
	}
	return func() {
		if result.dt == autograd.Float32 {
			round(result, result, result.n)
		}
		for _, c := range copies {
			b.release(c)
		}
	}
}
