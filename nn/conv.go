package nn

import "github.com/gocnn/gocnn/autograd"

// ConvOptions configures Conv2D and ConvTranspose2D, whose kernels are
// square (Conv2DRect takes a kernel and options per axis). Zero values mean
// stride 1, no padding, dilation 1, one group, no bias.
type ConvOptions struct {
	Stride, Padding, Dilation, Groups int
	// OutputPadding is for ConvTranspose2D only (see autograd).
	OutputPadding int
	Bias          bool
}

func (o ConvOptions) groups() int { return max(o.Groups, 1) }

// pair is v for both height and width.
func pair(v int) [2]int { return [2]int{v, v} }

// convParams registers on m a filter of the given shape and, with bias, a
// bias of out elements, drawn by the builder's ConvWeight and ConvBias from
// PyTorch's fanIn and fanOut; bias is nil without one.
func (b *Builder) convParams(m *Base, bias bool, fanIn, fanOut, out int, shape ...int) (w, bs *autograd.Tensor) {
	w = m.AddParam("weight", b.Param(b.inits.ConvWeight, fanIn, fanOut, shape...))
	if bias {
		bs = m.AddParam("bias", b.Param(b.inits.ConvBias, fanIn, fanOut, out))
	}
	return w, bs
}

// withBias returns y plus bias, or y when bias is nil.
func withBias(y, bias *autograd.Tensor) *autograd.Tensor {
	if bias == nil {
		return y
	}
	return autograd.AddBias(y, bias)
}

// Conv2D is a 2-D convolution with an optional bias.
type Conv2D struct {
	Base
	Weight *autograd.Tensor // (K, R, S, C/G)
	Bias   *autograd.Tensor // (K), nil without bias
	opt    autograd.Conv2DOptions
}

// Conv2D returns a k x k convolution from cin to cout channels. Its weight
// and bias are initialised by the builder's ConvWeight and ConvBias.
func (b *Builder) Conv2D(cin, cout, k int, o ConvOptions) *Conv2D {
	return b.Conv2DRect(cin, cout, pair(k), autograd.Conv2DOptions{
		Stride: pair(o.Stride), Padding: pair(o.Padding), Dilation: pair(o.Dilation), Groups: o.groups(),
	}, o.Bias)
}

// Conv2DRect returns a convolution from cin to cout channels whose kernel,
// stride, padding and dilation may differ between height and width, as
// PyTorch's kernel_size=(kh, kw), padding=(ph, pw): Inception v3's
// factorised 1x7 and 7x1 convolutions. Zero options mean PyTorch's
// defaults; bias adds a bias. Initialised as Conv2D.
func (b *Builder) Conv2DRect(cin, cout int, kernel [2]int, o autograd.Conv2DOptions, bias bool) *Conv2D {
	g := max(o.Groups, 1)
	taps := kernel[0] * kernel[1]
	c := &Conv2D{opt: o}
	c.Weight, c.Bias = b.convParams(&c.Base, bias, cin/g*taps, cout*taps, cout, cout, kernel[0], kernel[1], cin/g)
	return c
}

// Forward convolves x (N, H, W, C) into (N, P, Q, K) and adds the bias;
// with FuseConvReLU the bias is added in the convolution's epilogue
// (autograd.Conv2DBias), the same bits as a separate AddBias.
func (c *Conv2D) Forward(x *autograd.Tensor) *autograd.Tensor {
	if c.Bias != nil && FuseConvReLU {
		return c.Out(autograd.Conv2DBias(x, c.Weight, c.Bias, c.opt))
	}
	return c.Out(withBias(autograd.Conv2D(x, c.Weight, c.opt), c.Bias))
}

// ForwardReLU returns ReLU(c.Forward(x)): with a bias and FuseConvReLU,
// one autograd.Conv2DBiasReLU, whose output is written once, biased and
// clamped, with the same values and gradients as the separate ops;
// otherwise Forward followed by autograd.ReLU.
func (c *Conv2D) ForwardReLU(x *autograd.Tensor) *autograd.Tensor {
	if c.Bias != nil && FuseConvReLU {
		return c.Out(autograd.Conv2DBiasReLU(x, c.Weight, c.Bias, c.opt))
	}
	return autograd.ReLU(c.Forward(x))
}

// FuseConvReLU, true unless changed, makes Conv2D add its bias, and
// Conv2D.ForwardReLU (which Sequential and the models that spell
// convolution, bias and ReLU call) also apply the ReLU, in the
// convolution's epilogue; false makes them run Conv2D, AddBias and ReLU
// one after the other as before, to compare the two (set it only while no
// model runs).
var FuseConvReLU = true

// ConvTranspose2D is a transposed convolution (U-Net's up-convolution) with
// an optional bias.
type ConvTranspose2D struct {
	Base
	Weight *autograd.Tensor // (Cin, R, S, Cout/G)
	Bias   *autograd.Tensor // (Cout), nil without bias
	opt    autograd.ConvTranspose2DOptions
}

// ConvTranspose2D returns a k x k transposed convolution from cin to cout
// channels, initialised like PyTorch's (its fan-in is Cout/G*k*k, from the
// weight's second dimension).
func (b *Builder) ConvTranspose2D(cin, cout, k int, o ConvOptions) *ConvTranspose2D {
	g := o.groups()
	c := &ConvTranspose2D{opt: autograd.ConvTranspose2DOptions{
		Stride: pair(o.Stride), Padding: pair(o.Padding), OutputPadding: pair(o.OutputPadding),
		Dilation: pair(o.Dilation), Groups: g,
	}}
	c.Weight, c.Bias = b.convParams(&c.Base, o.Bias, cout/g*k*k, cin*k*k, cout, cin, k, k, cout/g)
	return c
}

// Forward applies the transposed convolution to x (N, H, W, Cin).
func (c *ConvTranspose2D) Forward(x *autograd.Tensor) *autograd.Tensor {
	return c.Out(withBias(autograd.ConvTranspose2D(x, c.Weight, c.opt), c.Bias))
}
