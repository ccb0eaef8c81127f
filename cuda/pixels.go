//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// PixelsToFloat32 sets y[r, c] = float32(x[r, c])*scale[c] + shift[c] for
// uint8 pixels x (rows, cols).
func (b *Backend) PixelsToFloat32(rows, cols int, x, scale, shift, y autograd.Buffer) {
	const op = "PixelsToFloat32"
	xd := b.dev(op, x, autograd.Uint8)
	mustLen(op, rows*cols, xd.n)
	n := int64(rows * cols)
	b.launch1(op, kernels.PixelsToFloat32, n,
		xd, b.f32(op, scale, cols), b.f32(op, shift, cols), b.f32(op, y, rows*cols), rows, cols)
}
