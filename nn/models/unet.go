package models

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// UNet is the segmentation network of Ronneberger et al. 2015 (Figure 1):
// four 2x2 max-pool steps down and four 2x2 up-convolutions up, each
// followed by two 3x3 convolutions, with the encoder's maps concatenated on
// the way up; names as milesial/Pytorch-UNet. Its output is per-pixel
// logits (N, H, W, classes). Convolutions are padded, so the output has the
// input's size (the paper's are unpadded and crop the skip connections);
// sides must be divisible by 16.
type UNet struct {
	nn.Base
	inc   *nn.Sequential
	downs []*nn.Sequential
	ups   []*unetUp
	outc  *nn.Sequential
}

var _ = register(
	Spec{"unet", "U-Net 2015: biased 3x3 convs, no batch norm, 2x2 up-convs", "Ronneberger et al., U-Net", 2015, 256, UNet2015},
	Spec{"unet_bn", "U-Net with batch norm and bias-free convs (milesial/Pytorch-UNet)", "Ronneberger et al., U-Net", 2015, 256, UNetBN},
)

// The 2015 U-Net segmented grayscale microscopy into cell and border.
var _ = registerDefaults(Options{Classes: 2, InChannels: 1}, "unet")
var _ = registerDefaults(Options{Classes: 2}, "unet_bn")

// UNet2015 returns the U-Net of the paper: 3x3 convolutions with biases,
// no batch norm, initialised as the paper does (Gaussian, std sqrt(2/N) for
// N inputs per unit; Ronneberger et al. 2015, section 3). Without batch norm
// PyTorch's default initialisation shrinks the signal through the 23 layers
// and the network does not start learning.
func UNet2015(b *nn.Builder, o Options) nn.Module {
	return NewUNet(b.WithInits(nn.Inits{ConvWeight: nn.KaimingNormalFanIn, ConvBias: nn.Zeros}), o, false)
}

// UNetBN returns the common modern variant: bias-free convolutions each
// followed by batch norm.
func UNetBN(b *nn.Builder, o Options) nn.Module { return NewUNet(b, o, true) }

// NewUNet returns a U-Net with widths 64 to 1024, with batch norm when
// batchNorm is set, initialised as b says (PyTorch's default unless set, as
// milesial's).
func NewUNet(b *nn.Builder, o Options, batchNorm bool) *UNet {
	m := &UNet{}
	m.inc = nn.Child(&m.Base, "inc", doubleConv(b, o.inChannels(), 64, batchNorm))
	for i, c := range []int{64, 128, 256, 512} {
		down := nn.NewSequential(nn.NewMaxPool2D(2, 2, 0, false), doubleConv(b, c, 2*c, batchNorm))
		// Down wraps its layers in maxpool_conv.
		wrap := &nn.Sequential{}
		wrap.AddNamed("maxpool_conv", down)
		m.downs = append(m.downs, nn.Child(&m.Base, fmt.Sprintf("down%d", i+1), wrap))
	}
	for i, c := range []int{1024, 512, 256, 128} {
		m.ups = append(m.ups, nn.Child(&m.Base, fmt.Sprintf("up%d", i+1), newUNetUp(b, c, c/2, batchNorm)))
	}
	out := &nn.Sequential{}
	out.AddNamed("conv", b.Conv2D(64, o.classes(), 1, nn.ConvOptions{Bias: true}))
	m.outc = nn.Child(&m.Base, "outc", out)
	return m
}

// Forward maps images (N, H, W, C) to per-pixel logits (N, H, W, classes).
// It panics unless H and W are divisible by 16.
func (m *UNet) Forward(x *autograd.Tensor) *autograd.Tensor {
	_, h, w, _ := x.Shape().NHWC("UNet")
	if h%16 != 0 || w%16 != 0 {
		panic(fmt.Sprintf("models: U-Net input %dx%d: sides must be divisible by 16", h, w))
	}
	skips := []*autograd.Tensor{m.inc.Forward(x)}
	for _, d := range m.downs {
		skips = append(skips, d.Forward(skips[len(skips)-1]))
	}
	x = skips[len(skips)-1]
	for i, u := range m.ups {
		x = u.forward(x, skips[len(skips)-2-i])
	}
	return m.Out(m.outc.Forward(x))
}

// doubleConv is (3x3 convolution, [batch norm], ReLU) twice.
func doubleConv(b *nn.Builder, in, out int, batchNorm bool) *nn.Sequential {
	layers := &nn.Sequential{}
	for _, cin := range []int{in, out} {
		layers.Append(b.Conv2D(cin, out, 3, nn.ConvOptions{Padding: 1, Bias: !batchNorm}))
		if batchNorm {
			layers.Append(b.BatchNorm2D(out))
		}
		layers.Append(nn.NewReLU())
	}
	s := &nn.Sequential{}
	s.AddNamed("double_conv", layers)
	return s
}

// unetUp doubles the map with a 2x2 up-convolution that halves the
// channels, concatenates the encoder's map of that size, and applies a
// double convolution.
type unetUp struct {
	nn.Base
	up   *nn.ConvTranspose2D
	conv *nn.Sequential
}

func newUNetUp(b *nn.Builder, in, out int, batchNorm bool) *unetUp {
	u := &unetUp{}
	u.up = nn.Child(&u.Base, "up", b.ConvTranspose2D(in, in/2, 2, nn.ConvOptions{Stride: 2, Bias: true}))
	u.conv = nn.Child(&u.Base, "conv", doubleConv(b, in, out, batchNorm))
	return u
}

// Forward panics: an up step needs its skip connection, which UNet passes
// to forward.
func (u *unetUp) Forward(x *autograd.Tensor) *autograd.Tensor {
	panic("models: unetUp needs the skip connection; UNet calls forward")
}

func (u *unetUp) forward(x, skip *autograd.Tensor) *autograd.Tensor {
	return u.Out(u.conv.Forward(autograd.Concat(skip, u.up.Forward(x))))
}
