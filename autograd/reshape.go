package autograd

import "fmt"

// Reshape returns x with a new shape of the same number of elements; one
// dimension may be -1 and is inferred. The result shares x's buffer, which
// is freed once both are released or unreachable. It panics when the shape
// does not fit or x was released.
func Reshape(x *Tensor, shape ...int) *Tensor {
	s := inferShape(x.shape, shape)
	y := x.view(s)
	return record("Reshape", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		// dy belongs to the engine alone here (BackwardWith takes ownership
		// of its seed, and every gradient it hands out is its own), so
		// reshaping dy in place and returning it passes that ownership on
		// without another tensor.
		dy.shape = x.shape
		return []*Tensor{dy}
	})
}

// Flatten returns x reshaped to (N, rest). It panics for a scalar.
func Flatten(x *Tensor) *Tensor {
	if len(x.shape) == 0 {
		panic("autograd: Flatten of a scalar")
	}
	n := x.shape[0]
	return Reshape(x, n, x.shape[1:].Numel())
}

// inferShape returns shape with its -1 replaced so that it holds as many
// elements as from, and panics when that is impossible.
func inferShape(from Shape, shape []int) Shape {
	s := Shape(shape).Clone()
	known, infer := 1, -1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(fmt.Sprintf("autograd: Reshape of %v to %v: bad dimension %d", from, s, d))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 {
			panic(fmt.Sprintf("autograd: Reshape of %v to %v: cannot infer -1 next to a zero dimension", from, s))
		}
		s[infer] = from.Numel() / known
	}
	if s.Numel() != from.Numel() {
		panic(fmt.Sprintf("autograd: Reshape of %v (%d elements) to %v", from, from.Numel(), shape))
	}
	return s
}
