package nn

import "github.com/gocnn/gocnn/autograd"

// MaxPool2D takes the maximum over square windows.
type MaxPool2D struct {
	Base
	Opt autograd.PoolOptions
}

// NewMaxPool2D returns k x k max pooling with the given stride and padding;
// ceil rounds the output size up (PyTorch's ceil_mode).
func NewMaxPool2D(k, stride, pad int, ceil bool) *MaxPool2D {
	return &MaxPool2D{Opt: square(k, stride, pad, ceil)}
}

// Forward pools x (N, H, W, C).
func (p *MaxPool2D) Forward(x *autograd.Tensor) *autograd.Tensor {
	return p.Out(autograd.MaxPool2D(x, p.Opt))
}

// AvgPool2D averages over square windows, counting padding (PyTorch's
// default).
type AvgPool2D struct {
	Base
	Opt autograd.PoolOptions
}

// NewAvgPool2D returns k x k average pooling with the given stride and
// padding.
func NewAvgPool2D(k, stride, pad int) *AvgPool2D {
	return &AvgPool2D{Opt: square(k, stride, pad, false)}
}

// Forward pools x (N, H, W, C).
func (p *AvgPool2D) Forward(x *autograd.Tensor) *autograd.Tensor {
	return p.Out(autograd.AvgPool2D(x, p.Opt))
}

func square(k, stride, pad int, ceil bool) autograd.PoolOptions {
	return autograd.PoolOptions{
		Kernel: [2]int{k, k}, Stride: [2]int{stride, stride}, Padding: [2]int{pad, pad}, CeilMode: ceil,
	}
}

// GlobalAvgPool averages each channel over the whole map: (N, H, W, C) to
// (N, C), the classifier input of networks since Lin et al. 2014.
type GlobalAvgPool struct{ Base }

// NewGlobalAvgPool returns a global average pooling layer.
func NewGlobalAvgPool() *GlobalAvgPool { return &GlobalAvgPool{} }

// Forward averages x (N, H, W, C) into (N, C).
func (p *GlobalAvgPool) Forward(x *autograd.Tensor) *autograd.Tensor {
	return p.Out(autograd.GlobalAvgPool(x))
}

// AdaptiveAvgPool2D averages x (N, H, W, C) into (N, Size, Size, C) as
// PyTorch's AdaptiveAvgPool2d, for any input size: uneven, overlapping bins
// where Size does not divide a side, repeated pixels where the map is
// smaller than Size (see autograd.AdaptivePoolParams). It lets AlexNet and
// VGG take any input size.
type AdaptiveAvgPool2D struct {
	Base
	Size int
}

// NewAdaptiveAvgPool2D returns adaptive average pooling to size x size.
func NewAdaptiveAvgPool2D(size int) *AdaptiveAvgPool2D { return &AdaptiveAvgPool2D{Size: size} }

// Forward pools x; a map of the output size already passes through as it
// is (the pooling would copy it).
func (p *AdaptiveAvgPool2D) Forward(x *autograd.Tensor) *autograd.Tensor {
	_, h, w, _ := x.Shape().NHWC("AdaptiveAvgPool2D")
	if h == p.Size && w == p.Size {
		return p.Out(x)
	}
	return p.Out(autograd.AdaptiveAvgPool2D(x, p.Size, p.Size))
}
