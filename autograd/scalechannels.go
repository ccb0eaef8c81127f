package autograd

import "fmt"

// ScaleChannels returns x (N, H, W, C) with each channel of each image
// multiplied by s (N, C): the gating of squeeze-and-excitation. It panics
// when the shapes or devices disagree.
func ScaleChannels(x, s *Tensor) *Tensor {
	n, h, w, c := x.shape.NHWC("ScaleChannels")
	sameShape("ScaleChannels", x)
	if !s.shape.Equal(Shape{n, c}) || s.dev != x.dev || s.DType() != Float32 {
		panic(fmt.Sprintf("autograd: ScaleChannels of %v by %v %v on %s, want (%d, %d) on %s", x.shape, s.DType(), s.shape, s.dev.Name(), n, c, x.dev.Name()))
	}
	be := x.dev.backend
	y := Empty(x.dev, Float32, x.shape...)
	be.ScaleChannels(n, h*w, c, x.buf, s.buf, y.buf)
	return record("ScaleChannels", y, []*Tensor{x, s}, func(dy *Tensor) []*Tensor {
		// One kernel produces both gradients; the engine releases the one
		// an input does not need.
		dx := Empty(x.dev, Float32, x.shape...)
		ds := Empty(s.dev, Float32, s.shape...)
		be.ScaleChannelsBackward(n, h*w, c, x.buf, s.buf, dy.buf, dx.buf, ds.buf)
		return []*Tensor{dx, ds}
	})
}
