package cpu

import (
	"fmt"
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// Activation sets y = f(x) for the function kind names.
func (b *Backend) Activation(kind autograd.Activation, x, y autograd.Buffer) {
	xv, yv := floats(x), floats(y)
	mustLen("Activation", len(yv), len(xv))
	if kind == autograd.ActReLU { // most layers: a loop without a call per element
		b.parallelFor(len(yv), elementGrain, func(lo, hi int) {
			for i, v := range xv[lo:hi] {
				yv[lo+i] = max(v, 0)
			}
		})
		return
	}
	f := activationForward(kind)
	b.parallelFor(len(yv), elementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			yv[i] = f(xv[i])
		}
	})
}

// ActivationBackward sets dx = f'(x) * dy.
func (b *Backend) ActivationBackward(kind autograd.Activation, x, y, dy, dx autograd.Buffer) {
	xv, yv, dyv, dxv := floats(x), floats(y), floats(dy), floats(dx)
	mustLen("ActivationBackward", len(dxv), len(xv), len(yv), len(dyv))
	if kind == autograd.ActReLU {
		b.parallelFor(len(dxv), elementGrain, func(lo, hi int) {
			dx, dy := dxv[lo:hi], dyv[lo:hi]
			for i, v := range xv[lo:hi] {
				dx[i] = 0
				if v > 0 {
					dx[i] = dy[i]
				}
			}
		})
		return
	}
	df := activationDerivative(kind)
	b.parallelFor(len(dxv), elementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dxv[i] = df(xv[i], yv[i]) * dyv[i]
		}
	})
}

func relu6(x float32) float32 { return min(max(x, 0), 6) }

func activationForward(kind autograd.Activation) func(float32) float32 {
	switch kind {
	case autograd.ActReLU:
		return func(x float32) float32 { return max(x, 0) }
	case autograd.ActReLU6:
		return relu6
	case autograd.ActSigmoid:
		return func(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }
	case autograd.ActHardSigmoid:
		return func(x float32) float32 { return relu6(x+3) / 6 }
	case autograd.ActHardSwish:
		return func(x float32) float32 { return x * relu6(x+3) / 6 }
	case autograd.ActTanh:
		return func(x float32) float32 { return float32(math.Tanh(float64(x))) }
	}
	panic(fmt.Sprintf("cpu: unknown activation %d", kind))
}

// activationDerivative returns f'(x) given x and y = f(x). At kinks it takes
// PyTorch's side: relu'(0) = 0, relu6'(6) = 0, hardswish'(±3) as PyTorch.
func activationDerivative(kind autograd.Activation) func(x, y float32) float32 {
	switch kind {
	case autograd.ActReLU:
		return func(x, _ float32) float32 { return step(x > 0) }
	case autograd.ActReLU6:
		return func(x, _ float32) float32 { return step(x > 0 && x < 6) }
	case autograd.ActSigmoid:
		return func(_, y float32) float32 { return y * (1 - y) }
	case autograd.ActHardSigmoid:
		return func(x, _ float32) float32 { return step(x > -3 && x < 3) / 6 }
	case autograd.ActHardSwish:
		return func(x, _ float32) float32 {
			switch {
			case x < -3:
				return 0
			case x <= 3:
				return (2*x + 3) / 6
			}
			return 1
		}
	case autograd.ActTanh:
		return func(_, y float32) float32 { return 1 - y*y }
	}
	panic(fmt.Sprintf("cpu: unknown activation %d", kind))
}

func step(b bool) float32 {
	if b {
		return 1
	}
	return 0
}
