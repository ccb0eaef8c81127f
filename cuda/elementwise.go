//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// Add sets y = a + b, activations of one dtype.
func (b *Backend) Add(a, bb, y autograd.Buffer) {
	n := y.Len()
	acts, bf16 := b.activations("Add", n, a, bb, y)
	b.launch1("Add", dtypeKernel(bf16, kernels.Add, kernels.AddBF16), int64(n), acts[0], acts[1], acts[2], n)
}

// Mul sets y = a * b.
func (b *Backend) Mul(a, bb, y autograd.Buffer) {
	yd := b.dev("Mul", y, autograd.Float32)
	n := yd.n
	b.launch1("Mul", kernels.Mul, int64(n), b.f32("Mul", a, n), b.f32("Mul", bb, n), yd, n)
}

// Div sets y = a / b.
func (b *Backend) Div(a, bb, y autograd.Buffer) {
	yd := b.dev("Div", y, autograd.Float32)
	n := yd.n
	b.launch1("Div", kernels.Div, int64(n), b.f32("Div", a, n), b.f32("Div", bb, n), yd, n)
}

// Sqrt sets y = sqrt(x).
func (b *Backend) Sqrt(x, y autograd.Buffer) {
	yd := b.dev("Sqrt", y, autograd.Float32)
	n := yd.n
	b.launch1("Sqrt", kernels.Sqrt, int64(n), b.f32("Sqrt", x, n), yd, n)
}

// Axpby sets y = alpha*x + beta*y, not reading y when beta is 0.
func (b *Backend) Axpby(alpha float32, x autograd.Buffer, beta float32, y autograd.Buffer) {
	yd := b.dev("Axpby", y, autograd.Float32)
	n := yd.n
	b.launch1("Axpby", kernels.Axpby, int64(n), alpha, b.f32("Axpby", x, n), beta, yd, n)
}

// Activation sets y = f(x) for the function kind names, x and y
// activations of one dtype.
func (b *Backend) Activation(kind autograd.Activation, x, y autograd.Buffer) {
	n := y.Len()
	acts, bf16 := b.activations("Activation", n, x, y)
	b.launch1("Activation", dtypeKernel(bf16, kernels.Activation, kernels.ActivationBF16), int64(n), int(kind), acts[0], acts[1], n)
}

// ActivationBackward sets dx = f'(x) * dy given y = f(x), x and y
// activations of one dtype.
func (b *Backend) ActivationBackward(kind autograd.Activation, x, y, dy, dx autograd.Buffer) {
	const op = "ActivationBackward"
	d := b.dev(op, dx, autograd.Float32)
	n := d.n
	acts, bf16 := b.activations(op, n, x, y)
	b.launch1(op, dtypeKernel(bf16, kernels.ActivationBackward, kernels.ActivationBackwardBF16), int64(n), int(kind),
		acts[0], acts[1], b.f32(op, dy, n), d, n)
}

// DropoutMask fills mask with 0 where autograd.DropoutUniform(seed, i) < p
// and 1/(1-p) elsewhere, bit for bit as every backend.
func (b *Backend) DropoutMask(p float32, seed uint64, mask autograd.Buffer) {
	m := b.dev("DropoutMask", mask, autograd.Float32)
	keep := 1 / (1 - p)
	b.launch1("DropoutMask", kernels.DropoutMask, int64(m.n), m, m.n, seed, p, keep)
}
