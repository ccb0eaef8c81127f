package autograd

import "fmt"

// ConvParams describes a 2-D convolution of an (N, H, W, C) input with K
// filters of R x S taps over C/Groups channels each. A transposed
// convolution uses the ConvParams of the convolution it transposes. Its
// methods are the one definition of a convolution's geometry: every
// backend derives sizes and picks kernels with them.
type ConvParams struct {
	N, H, W, C       int // input
	K, R, S          int // filters
	StrideH, StrideW int
	PadH, PadW       int // zero padding on each side
	DilH, DilW       int
	Groups           int
}

// P returns the output height.
func (p ConvParams) P() int { return (p.H+2*p.PadH-p.DilH*(p.R-1)-1)/p.StrideH + 1 }

// Q returns the output width.
func (p ConvParams) Q() int { return (p.W+2*p.PadW-p.DilW*(p.S-1)-1)/p.StrideW + 1 }

// Cg returns the input channels per group.
func (p ConvParams) Cg() int { return p.C / p.Groups }

// Kg returns the filters per group.
func (p ConvParams) Kg() int { return p.K / p.Groups }

// Taps returns R*S*C/G, the length of one filter.
func (p ConvParams) Taps() int { return p.R * p.S * p.Cg() }

// Sizes returns the lengths of the input (N, H, W, C), the filters
// (K, R, S, C/G) and the output (N, P, Q, K).
func (p ConvParams) Sizes() (x, w, y int) {
	return p.N * p.H * p.W * p.C, p.K * p.Taps(), p.N * p.P() * p.Q() * p.K
}

// Depthwise reports whether each group reads one input channel (C ==
// Groups, a single-channel input included): the case where a reduction
// over only R*S taps makes a GEMM wasteful and direct kernels run instead.
func (p ConvParams) Depthwise() bool { return p.Cg() == 1 }

// Pointwise reports whether the convolution is a plain product of the
// input's (N*H*W, C) rows with the filters: 1x1 taps, stride 1, no
// padding.
func (p ConvParams) Pointwise() bool {
	return p.R == 1 && p.S == 1 && p.StrideH == 1 && p.StrideW == 1 && p.PadH == 0 && p.PadW == 0
}

// Validate returns an error describing the first inconsistent field. The
// other methods assume a valid p.
func (p ConvParams) Validate() error {
	switch {
	case p.N < 1 || p.H < 1 || p.W < 1 || p.C < 1 || p.K < 1 || p.R < 1 || p.S < 1:
		return fmt.Errorf("conv2d: non-positive dimension in %+v", p)
	case p.StrideH < 1 || p.StrideW < 1 || p.DilH < 1 || p.DilW < 1 || p.PadH < 0 || p.PadW < 0:
		return fmt.Errorf("conv2d: bad stride, dilation or padding in %+v", p)
	case p.Groups < 1 || p.C%p.Groups != 0 || p.K%p.Groups != 0:
		return fmt.Errorf("conv2d: %d groups do not divide C=%d and K=%d", p.Groups, p.C, p.K)
	case p.P() < 1 || p.Q() < 1:
		return fmt.Errorf("conv2d: %dx%d filter (dilation %d,%d, padding %d,%d) does not fit a %dx%d input", p.R, p.S, p.DilH, p.DilW, p.PadH, p.PadW, p.H, p.W)
	}
	return nil
}
