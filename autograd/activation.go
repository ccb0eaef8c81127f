package autograd

// Act returns kind applied to every element of x.
func Act(x *Tensor, kind Activation) *Tensor {
	sameShape(kind.String(), x)
	be := x.dev.backend
	y := Empty(x.dev, Float32, x.shape...)
	xw := widened(x)
	be.Activation(kind, xw.buf, y.buf)
	unwiden(x, xw)
	y = promoted(y, x)
	return record(kind.String(), y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		xw, yw := widened(x), widened(y)
		be.ActivationBackward(kind, xw.buf, yw.buf, dy.buf, dx.buf)
		unwiden(x, xw)
		unwiden(y, yw)
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
