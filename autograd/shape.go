package autograd

import (
	"fmt"
	"slices"
)

// Shape lists a tensor's dimensions, outermost first. Four-dimensional
// activations are (N, H, W, C).
type Shape []int

// Numel returns the number of elements, 1 for a scalar (empty) shape.
func (s Shape) Numel() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether s and o have the same dimensions.
func (s Shape) Equal(o Shape) bool { return slices.Equal(s, o) }

// Clone returns a copy of s that does not alias it.
func (s Shape) Clone() Shape { return slices.Clone(s) }

func (s Shape) String() string { return fmt.Sprint([]int(s)) }

// NHWC returns the four dimensions of an activation shape and panics, naming
// op, when s is not four-dimensional.
func (s Shape) NHWC(op string) (n, h, w, c int) {
	if len(s) != 4 {
		panic(fmt.Sprintf("autograd: %s wants an NHWC tensor, got shape %v", op, s))
	}
	return s[0], s[1], s[2], s[3]
}

// Rows returns the product of every dimension but the last, and the last:
// the (rows, columns) view that channel-wise kernels use. It panics for a
// scalar shape.
func (s Shape) Rows() (rows, cols int) {
	if len(s) == 0 {
		panic("autograd: Rows of a scalar shape")
	}
	cols = s[len(s)-1]
	return s.Numel() / max(cols, 1), cols
}
