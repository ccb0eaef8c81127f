package autograd

import "fmt"

// PoolParams describes max or average pooling of an (N, H, W, C) input over
// R x S windows.
type PoolParams struct {
	N, H, W, C       int
	R, S             int
	StrideH, StrideW int
	PadH, PadW       int
	// CeilMode rounds the output size up, as PyTorch's ceil_mode: a last
	// window that starts inside the input or its left padding is kept.
	CeilMode bool
	// CountIncludePad divides average-pool sums by the full window size,
	// padding included (PyTorch's default), instead of by the taps that
	// fall inside the input. Windows overhanging the right/bottom because
	// of CeilMode never count that overhang.
	CountIncludePad bool
}

func poolOut(in, k, stride, pad int, ceil bool) int {
	span := in + 2*pad - k
	out := span/stride + 1
	if ceil && span%stride != 0 {
		out++
		// PyTorch drops a last window that would start in the right padding.
		if (out-1)*stride >= in+pad {
			out--
		}
	}
	return out
}

// P returns the output height.
func (p PoolParams) P() int { return poolOut(p.H, p.R, p.StrideH, p.PadH, p.CeilMode) }

// Q returns the output width.
func (p PoolParams) Q() int { return poolOut(p.W, p.S, p.StrideW, p.PadW, p.CeilMode) }

// Validate returns an error describing the first inconsistent field.
func (p PoolParams) Validate() error {
	switch {
	case p.N < 1 || p.H < 1 || p.W < 1 || p.C < 1 || p.R < 1 || p.S < 1 || p.StrideH < 1 || p.StrideW < 1:
		return fmt.Errorf("pool2d: non-positive dimension in %+v", p)
	case p.PadH < 0 || p.PadW < 0 || 2*p.PadH > p.R || 2*p.PadW > p.S:
		return fmt.Errorf("pool2d: padding must be at most half the window in %+v", p)
	case p.P() < 1 || p.Q() < 1:
		return fmt.Errorf("pool2d: %dx%d window does not fit a %dx%d input", p.R, p.S, p.H, p.W)
	}
	return nil
}

// NormParams describes batch normalisation of M rows (N*H*W) of C channels.
type NormParams struct {
	M, C int
	Eps  float32
	// ReLU fuses max(., 0) after the normalisation (and after the residual,
	// when there is one): the forward's output is then relu(BN(x) + r), and
	// the backward masks dy by that output's positives in its own passes.
	ReLU bool
}

// LRNParams describes local response normalisation across channels of M
// rows of C channels (Krizhevsky et al. 2012, section 3.3, as PyTorch's
// LocalResponseNorm: alpha is divided by Size).
type LRNParams struct {
	M, C  int
	Size  int
	Alpha float32
	Beta  float32
	K     float32
}

// CrossEntropyParams describes a softmax cross-entropy over Rows rows of
// Classes logits.
type CrossEntropyParams struct {
	Rows, Classes int
	// Smoothing mixes the one-hot target with the uniform distribution:
	// target = (1-Smoothing)*onehot + Smoothing/Classes.
	Smoothing float32
	// IgnoreIndex is a label value whose rows contribute neither loss nor
	// gradient (255 for segmentation masks); use -1 for none.
	IgnoreIndex int32
}

// ResizeParams describes bilinear resizing of an (N, H, W, C) input to
// (N, OutH, OutW, C).
type ResizeParams struct {
	N, H, W, C   int
	OutH, OutW   int
	AlignCorners bool
}
