package autograd

import "fmt"

// Upsample resizes x (N, H, W, C) bilinearly to (N, outH, outW, C), as
// PyTorch's interpolate(mode="bilinear", align_corners=alignCorners) with
// an explicit size. It panics for an output size below 1.
func Upsample(x *Tensor, outH, outW int, alignCorners bool) *Tensor {
	n, h, w, c := x.shape.NHWC("Upsample")
	sameShape("Upsample", x)
	if outH < 1 || outW < 1 {
		panic(fmt.Sprintf("autograd: Upsample of %v to %dx%d", x.shape, outH, outW))
	}
	p := ResizeParams{N: n, H: h, W: w, C: c, OutH: outH, OutW: outW, AlignCorners: alignCorners}
	be := x.dev.backend
	y := Empty(x.dev, Float32, n, outH, outW, c)
	xw := widened(x)
	be.Upsample(p, xw.buf, y.buf)
	unwiden(x, xw)
	y = promoted(y, x)
	return record("Upsample", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		be.UpsampleBackward(p, dy.buf, dx.buf)
		return []*Tensor{dx}
	})
}
