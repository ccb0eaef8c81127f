//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// Convert copies src into dst of the other dtype: Float32 rounded to
// BFloat16 (to nearest even, NaN as 0x7fff), or BFloat16 widened to
// Float32 exactly. It is how a device stores its activations in bf16
// (autograd's Device.SetActivationDType).
func (b *Backend) Convert(dst, src autograd.Buffer) {
	kern, from := kernels.F32ToBF16, autograd.Float32
	switch dst.DType() {
	case autograd.BFloat16:
	case autograd.Float32:
		kern, from = kernels.BF16ToF32, autograd.BFloat16
	default:
		panic(fmt.Sprintf("cuda: Convert into a %v buffer", dst.DType()))
	}
	d := b.dev("Convert", dst, dst.DType())
	s := b.dev("Convert", src, from)
	mustLen("Convert", d.n, s.n)
	b.launch1("Convert", kern, int64(d.n), d, s, d.n)
}
