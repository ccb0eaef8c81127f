package nn

import "github.com/gocnn/gocnn/autograd"

// ConvOptions configures Conv2d and ConvTranspose2d with square kernels.
// Zero values mean stride 1, no padding, dilation 1, one group, no bias.
type ConvOptions struct {
	Stride, Padding, Dilation, Groups int
	// OutputPadding is for ConvTranspose2d only (see autograd).
	OutputPadding int
	Bias          bool
}

func (o ConvOptions) groups() int { return max(o.Groups, 1) }

// Conv2d is a 2-D convolution with an optional bias.
type Conv2d struct {
	Base
	Weight *autograd.Tensor // (K, R, S, C/G)
	Bias   *autograd.Tensor // (K), nil without bias
	opt    autograd.Conv2DOptions
}

// Conv2d returns a k x k convolution from cin to cout channels. Its weight
// and bias are initialised by the builder's ConvWeight and ConvBias.
func (b *Builder) Conv2d(cin, cout, k int, o ConvOptions) *Conv2d {
	g := o.groups()
	fanIn, fanOut := cin/g*k*k, cout*k*k
	c := &Conv2d{opt: autograd.Conv2DOptions{
		Stride:   [2]int{o.Stride, o.Stride},
		Padding:  [2]int{o.Padding, o.Padding},
		Dilation: [2]int{o.Dilation, o.Dilation},
		Groups:   g,
	}}
	c.Weight = c.AddParam("weight", b.Param(b.inits.ConvWeight, fanIn, fanOut, cout, k, k, cin/g))
	if o.Bias {
		c.Bias = c.AddParam("bias", b.Param(b.inits.ConvBias, fanIn, fanOut, cout))
	}
	return c
}

// Forward convolves x (N, H, W, C) into (N, P, Q, K).
func (c *Conv2d) Forward(x *autograd.Tensor) *autograd.Tensor {
	y := autograd.Conv2D(x, c.Weight, c.opt)
	if c.Bias != nil {
		y = autograd.AddBias(y, c.Bias)
	}
	return c.Out(y)
}

// ConvTranspose2d is a transposed convolution (U-Net's up-convolution) with
// an optional bias.
type ConvTranspose2d struct {
	Base
	Weight *autograd.Tensor // (Cin, R, S, Cout/G)
	Bias   *autograd.Tensor // (Cout), nil without bias
	opt    autograd.ConvTranspose2DOptions
}

// ConvTranspose2d returns a k x k transposed convolution from cin to cout
// channels, initialised like PyTorch's (its fan-in is Cout/G*k*k, from the
// weight's second dimension).
func (b *Builder) ConvTranspose2d(cin, cout, k int, o ConvOptions) *ConvTranspose2d {
	g := o.groups()
	fanIn, fanOut := cout/g*k*k, cin*k*k
	c := &ConvTranspose2d{opt: autograd.ConvTranspose2DOptions{
		Stride:        [2]int{o.Stride, o.Stride},
		Padding:       [2]int{o.Padding, o.Padding},
		OutputPadding: [2]int{o.OutputPadding, o.OutputPadding},
		Dilation:      [2]int{o.Dilation, o.Dilation},
		Groups:        g,
	}}
	c.Weight = c.AddParam("weight", b.Param(b.inits.ConvWeight, fanIn, fanOut, cin, k, k, cout/g))
	if o.Bias {
		c.Bias = c.AddParam("bias", b.Param(b.inits.ConvBias, fanIn, fanOut, cout))
	}
	return c
}

// Forward applies the transposed convolution to x (N, H, W, Cin).
func (c *ConvTranspose2d) Forward(x *autograd.Tensor) *autograd.Tensor {
	y := autograd.ConvTranspose2D(x, c.Weight, c.opt)
	if c.Bias != nil {
		y = autograd.AddBias(y, c.Bias)
	}
	return c.Out(y)
}
