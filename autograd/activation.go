package autograd

// Act returns kind applied to every element of x.
func Act(x *Tensor, kind Activation) *Tensor {
	sameShape(kind.String(), x)
	be := x.dev.backend
	bufs, dt, done := sameDType(x)
	y := Empty(x.dev, dt, x.shape...)
	be.Activation(kind, bufs[0], y.buf)
	done()
	return record(kind.String(), y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		bufs, _, done := sameDType(x, y)
		be.ActivationBackward(kind, bufs[0], bufs[1], dy.buf, dx.buf)
		done()
		return []*Tensor{dx}
	})
}

// ReLU returns max(x, 0).
func ReLU(x *Tensor) *Tensor { return Act(x, ActReLU) }

// ReLU6 returns min(max(x, 0), 6).
func ReLU6(x *Tensor) *Tensor { return Act(x, ActReLU6) }

// Sigmoid returns 1/(1+exp(-x)).
func Sigmoid(x *Tensor) *Tensor { return Act(x, ActSigmoid) }

// HardSigmoid returns relu6(x+3)/6.
func HardSigmoid(x *Tensor) *Tensor { return Act(x, ActHardSigmoid) }

// HardSwish returns x*relu6(x+3)/6.
func HardSwish(x *Tensor) *Tensor { return Act(x, ActHardSwish) }

// Tanh returns tanh(x).
func Tanh(x *Tensor) *Tensor { return Act(x, ActTanh) }
