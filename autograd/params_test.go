package autograd_test

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

func TestConvParamsOutputSize(t *testing.T) {
	// Output sizes of layers whose shapes the papers and torchvision state.
	for _, c := range []struct {
		name              string
		h, r, stride, pad int
		dil               int
		want              int
	}{
		{"resnet conv1 7x7 s2 p3", 224, 7, 2, 3, 1, 112},
		{"3x3 s1 p1 keeps the size", 56, 3, 1, 1, 1, 56},
		{"3x3 s2 p1 halves", 56, 3, 2, 1, 1, 28},
		{"3x3 s2 p1 on an odd size", 7, 3, 2, 1, 1, 4},
		{"1x1 s2 shortcut", 56, 1, 2, 0, 1, 28},
		{"alexnet2012 conv1 11x11 s4 on 227", 227, 11, 4, 0, 1, 55},
		{"torchvision alexnet conv1 11x11 s4 p2", 224, 11, 4, 2, 1, 55},
		{"xception entry 3x3 s2 on 299", 299, 3, 2, 0, 1, 149},
		{"dilation 2 with padding 2 keeps the size", 33, 3, 1, 2, 2, 33},
		{"dilation 4 without padding", 33, 3, 1, 0, 4, 25},
		{"unet 3x3 valid conv", 572, 3, 1, 0, 1, 570},
	} {
		p := autograd.ConvParams{N: 1, H: c.h, W: c.h + 5, C: 1, K: 1, R: c.r, S: 1,
			StrideH: c.stride, StrideW: 1, PadH: c.pad, DilH: c.dil, DilW: 1, Groups: 1}
		if got := p.P(); got != c.want {
			t.Errorf("%s: P() = %d, want %d", c.name, got, c.want)
		}
		if got := p.Q(); got != c.h+5 {
			t.Errorf("%s: Q() = %d for a 1-wide, unit-stride, unpadded filter on width %d", c.name, got, c.h+5)
		}
		// The same layer along the width: Q must read W, S, StrideW, PadW, DilW.
		q := autograd.ConvParams{N: 1, H: 4, W: c.h, C: 1, K: 1, R: 1, S: c.r,
			StrideH: 1, StrideW: c.stride, PadW: c.pad, DilH: 1, DilW: c.dil, Groups: 1}
		if got := q.Q(); got != c.want {
			t.Errorf("%s along the width: Q() = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestConvParamsGeometry(t *testing.T) {
	square := func(c, k, r, stride, pad, groups int) autograd.ConvParams {
		return autograd.ConvParams{N: 2, H: 9, W: 7, C: c, K: k, R: r, S: r,
			StrideH: stride, StrideW: stride, PadH: pad, PadW: pad, DilH: 1, DilW: 1, Groups: groups}
	}
	for _, c := range []struct {
		name                 string
		p                    autograd.ConvParams
		cg, kg, taps         int
		depthwise, pointwise bool
	}{
		{"3x3", square(4, 6, 3, 1, 1, 1), 4, 6, 36, false, false},
		{"1x1", square(4, 6, 1, 1, 0, 1), 4, 6, 4, false, true},
		{"1x1 stride 2 is not a plain product", square(4, 6, 1, 2, 0, 1), 4, 6, 4, false, false},
		{"1x1 padded is not a plain product", square(4, 6, 1, 1, 1, 1), 4, 6, 4, false, false},
		{"grouped 1x1", square(4, 6, 1, 1, 0, 2), 2, 3, 2, false, true},
		{"depthwise", square(6, 12, 3, 2, 1, 6), 1, 2, 9, true, false},
		{"one input channel", square(1, 4, 3, 1, 1, 1), 1, 4, 9, true, false},
	} {
		p := c.p
		if err := p.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if p.Cg() != c.cg || p.Kg() != c.kg || p.Taps() != c.taps {
			t.Errorf("%s: Cg, Kg, Taps = %d, %d, %d, want %d, %d, %d", c.name, p.Cg(), p.Kg(), p.Taps(), c.cg, c.kg, c.taps)
		}
		if p.Depthwise() != c.depthwise || p.Pointwise() != c.pointwise {
			t.Errorf("%s: Depthwise, Pointwise = %v, %v, want %v, %v", c.name, p.Depthwise(), p.Pointwise(), c.depthwise, c.pointwise)
		}
		x, w, y := p.Sizes()
		if x != 2*9*7*p.C || w != p.K*c.taps || y != 2*p.P()*p.Q()*p.K {
			t.Errorf("%s: Sizes() = %d, %d, %d", c.name, x, w, y)
		}
	}
}

// torchPoolOut is PyTorch's pooling_output_shape (aten/src/ATen/native/Pool.h)
// with dilation 1: the size is rounded down, or up with ceil_mode, and a
// last window that would start in the right padding is dropped.
func torchPoolOut(in, k, pad, stride int, ceil bool) int {
	num := in + 2*pad - (k - 1) - 1
	if ceil {
		num += stride - 1
	}
	out := num/stride + 1 // num >= 0 for every size swept
	if ceil && (out-1)*stride >= in+pad {
		out--
	}
	return out
}

func TestPoolParamsOutputSize(t *testing.T) {
	for _, c := range []struct {
		name              string
		h, r, stride, pad int
		ceil              bool
		want              int
	}{
		{"googlenet maxpool1 3x3 s2 ceil", 112, 3, 2, 0, true, 56},
		{"the same window without ceil", 112, 3, 2, 0, false, 55},
		{"googlenet maxpool3 3x3 s2 ceil", 28, 3, 2, 0, true, 14},
		{"googlenet maxpool4 2x2 s2 ceil", 14, 2, 2, 0, true, 7},
		{"resnet maxpool 3x3 s2 p1", 112, 3, 2, 1, false, 56},
		{"alexnet maxpool 3x3 s2", 55, 3, 2, 0, false, 27},
		{"ceil keeps a last window starting inside the input", 4, 3, 2, 1, true, 3},
		{"ceil drops a last window starting in the right padding", 5, 2, 2, 1, true, 3},
		{"a window as large as the input", 7, 7, 1, 0, true, 1},
	} {
		p := autograd.PoolParams{N: 1, H: c.h, W: c.h, C: 1, R: c.r, S: c.r,
			StrideH: c.stride, StrideW: c.stride, PadH: c.pad, PadW: c.pad, CeilMode: c.ceil}
		if got, got2 := p.P(), p.Q(); got != c.want || got2 != c.want {
			t.Errorf("%s: P(), Q() = %d, %d, want %d", c.name, got, got2, c.want)
		}
	}
	// Every small configuration against PyTorch's formula, with height and
	// width differing so that P and Q cannot read each other's fields.
	for in := 1; in <= 20; in++ {
		for k := 1; k <= min(in, 5); k++ {
			for pad := 0; 2*pad <= k; pad++ {
				for stride := 1; stride <= 4; stride++ {
					for _, ceil := range []bool{false, true} {
						p := autograd.PoolParams{N: 1, H: in, W: in + 3, C: 1, R: k, S: k + 1,
							StrideH: stride, StrideW: stride, PadH: pad, PadW: pad, CeilMode: ceil}
						if got, want := p.P(), torchPoolOut(in, k, pad, stride, ceil); got != want {
							t.Errorf("%+v: P() = %d, want %d", p, got, want)
						}
						if got, want := p.Q(), torchPoolOut(in+3, k+1, pad, stride, ceil); got != want {
							t.Errorf("%+v: Q() = %d, want %d", p, got, want)
						}
					}
				}
			}
		}
	}
}
