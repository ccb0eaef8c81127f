package autograd

import "fmt"

// ScaleChannels returns x (N, H, W, C) with each channel of each image
// multiplied by s (N, C): the gating of squeeze-and-excitation. It panics
// when the shapes or devices disagree.
func ScaleChannels(x, s *Tensor) *Tensor {
	n, h, w, c := x.shape.NHWC("ScaleChannels")
	sameShape("ScaleChannels", x)
	if !s.shape.Equal(Shape{n, c}) || s.dev != x.dev || !s.DType().floating() {
		panic(fmt.Sprintf("autograd: ScaleChannels of %v by %v %v on %s, want (%d, %d) on %s", x.shape, s.DType(), s.shape, s.dev.Name(), n, c, x.dev.Name()))
	}
	sf := ToFloat32(s) // (N, C): small
	be := x.dev.backend
	y := Empty(x.dev, Float32, x.shape...)
	xw := widened(x)
	be.ScaleChannels(n, h*w, c, xw.buf, sf.buf, y.buf)
	unwiden(x, xw)
	y = promoted(y, x, s)
	return record("ScaleChannels", y, []*Tensor{x, sf}, func(dy *Tensor) []*Tensor {
		// One kernel produces both gradients; the engine releases the one
		// an input does not need.
		dx := Empty(x.dev, Float32, x.shape...)
		ds := Empty(sf.dev, Float32, sf.shape...)
		xw := widened(x)
		be.ScaleChannelsBackward(n, h*w, c, xw.buf, sf.buf, dy.buf, dx.buf, ds.buf)
		unwiden(x, xw)
		return []*Tensor{dx, ds}
	})
}
