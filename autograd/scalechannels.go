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
	acts, dt, done := sameDType(x, s) // s's dtype counts, its buffer is sf's
	y := Empty(x.dev, dt, x.shape...)
	be.ScaleChannels(n, h*w, c, acts[0], sf.buf, y.buf)
	done()
	return record("ScaleChannels", y, []*Tensor{x, sf}, func(dy *Tensor) []*Tensor {
		// One kernel produces both gradients; the engine releases the one
		// an input does not need.
		dx := Empty(x.dev, Float32, x.shape...)
		ds := Empty(sf.dev, Float32, sf.shape...)
		be.ScaleChannelsBackward(n, h*w, c, x.buf, sf.buf, dy.buf, dx.buf, ds.buf)
		return []*Tensor{dx, ds}
	})
}
