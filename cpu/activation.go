package cpu

import (
	"fmt"
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// Activation sets y = f(x) for the function kind names.
func (b *Backend) Activation(kind autograd.Activation, x, y autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.Activation(kind, in[0], out[0])
	}) {
		return
	}
	xv, yv := floats(x), floats(y)
	mustLen("Activation", len(yv), len(xv))
	f := activationForward(kind)
	b.parallelFor(len(yv), elementGrain, func(lo, hi int) { f(xv[lo:hi], yv[lo:hi]) })
}

// ActivationBackward sets dx = f'(x) * dy.
func (b *Backend) ActivationBackward(kind autograd.Activation, x, y, dy, dx autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x, y}, nil, func(in, _ []autograd.Buffer) {
		b.ActivationBackward(kind, in[0], in[1], dy, dx)
	}) {
		return
	}
	xv, yv, dyv, dxv := floats(x), floats(y), floats(dy), floats(dx)
	mustLen("ActivationBackward", len(dxv), len(xv), len(yv), len(dyv))
	df := activationBackward(kind)
	b.parallelFor(len(dxv), elementGrain, func(lo, hi int) { df(xv[lo:hi], yv[lo:hi], dyv[lo:hi], dxv[lo:hi]) })
}

func relu6(x float32) float32 { return min(max(x, 0), 6) }

// activationForward returns the loop that sets y[i] = f(x[i]). Each kind
// has a loop of its own, so that f is inlined rather than called once per
// element.
func activationForward(kind autograd.Activation) func(x, y []float32) {
	switch kind {
	case autograd.ActReLU:
		return func(x, y []float32) {
			for i, v := range x {
				y[i] = max(v, 0)
			}
		}
	case autograd.ActReLU6:
		return func(x, y []float32) {
			for i, v := range x {
				y[i] = relu6(v)
			}
		}
	case autograd.ActSigmoid:
		return func(x, y []float32) {
			for i, v := range x {
				y[i] = float32(1 / (1 + math.Exp(-float64(v))))
			}
		}
	case autograd.ActHardSigmoid:
		return func(x, y []float32) {
			for i, v := range x {
				y[i] = relu6(v+3) / 6
			}
		}
	case autograd.ActHardSwish:
		return func(x, y []float32) {
			for i, v := range x {
				y[i] = v * relu6(v+3) / 6
			}
		}
	case autograd.ActTanh:
		return func(x, y []float32) {
			for i, v := range x {
				y[i] = float32(math.Tanh(float64(v)))
			}
		}
	}
	panic(fmt.Sprintf("cpu: unknown activation %d", kind))
}

// activationBackward returns the loop that sets dx[i] = f'(x[i]) * dy[i],
// given y = f(x), with one loop per kind as activationForward. At kinks it
// takes PyTorch's side: relu'(0) = 0, relu6'(6) = 0, hardswish'(±3) as
// PyTorch. ReLU passes dy or 0, as PyTorch's threshold_backward, rather
// than multiplying by 0 or 1.
func activationBackward(kind autograd.Activation) func(x, y, dy, dx []float32) {
	switch kind {
	case autograd.ActReLU:
		return reluBackward
	case autograd.ActReLU6:
		return func(x, _, dy, dx []float32) {
			for i, v := range x {
				dx[i] = step(v > 0 && v < 6) * dy[i]
			}
		}
	case autograd.ActSigmoid:
		return func(_, y, dy, dx []float32) {
			for i, v := range y {
				dx[i] = v * (1 - v) * dy[i]
			}
		}
	case autograd.ActHardSigmoid:
		return func(x, _, dy, dx []float32) {
			for i, v := range x {
				dx[i] = step(v > -3 && v < 3) / 6 * dy[i]
			}
		}
	case autograd.ActHardSwish:
		return func(x, _, dy, dx []float32) {
			for i, v := range x {
				dx[i] = hardSwishDerivative(v) * dy[i]
			}
		}
	case autograd.ActTanh:
		return func(_, y, dy, dx []float32) {
			for i, v := range y {
				dx[i] = (1 - v*v) * dy[i]
			}
		}
	}
	panic(fmt.Sprintf("cpu: unknown activation %d", kind))
}

func hardSwishDerivative(x float32) float32 {
	switch {
	case x < -3:
		return 0
	case x <= 3:
		return (2*x + 3) / 6
	}
	return 1
}

func step(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// reluBackward sets dx[i] = dy[i] where x[i] > 0 and 0 elsewhere (NaN
// included), without a branch: the signs of x are random, and a branch
// mispredicted half the time made this loop cost three times ReLU's
// forward pass. x[i] > 0 exactly when its bits, as an int32, lie in
// [1, 0x7f800000] (+Inf is the top; positive NaNs lie above it), so
// bits-1 < 0x7f800000 unsigned; the mask is that comparison's sign.
func reluBackward(x, _, dy, dx []float32) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	for i, v := range x {
		dx[i] = reluGate(v, dy[i])
	}
}

// reluGate returns g where v > 0 and +0 elsewhere (NaN included), by the
// bit test reluBackward's comment describes.
func reluGate(v, g float32) float32 {
	below := int64(math.Float32bits(v)-1) - 0x7f800000 // < 0 iff v > 0
	return math.Float32frombits(math.Float32bits(g) & uint32(below>>63))
}
