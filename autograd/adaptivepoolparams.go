package autograd

import "fmt"

// AdaptivePoolParams describes adaptive pooling of an (N, H, W, C) input to
// (N, OutH, OutW, C), as PyTorch's AdaptiveAvgPool2d for any input size:
// output row i pools input rows [floor(i*H/OutH), ceil((i+1)*H/OutH)), and
// columns likewise. Bins are uneven and overlap where OutH does not divide
// H, and an input smaller than the output repeats its rows. Its methods are
// the one definition of the bins: every backend pools with them.
type AdaptivePoolParams struct {
	N, H, W, C int // input
	OutH, OutW int
}

// adaptiveBin returns the input positions [lo, hi) that output position o
// of out pools along an axis of in positions.
func adaptiveBin(o, in, out int) (lo, hi int) {
	return o * in / out, ((o+1)*in + out - 1) / out
}

// adaptiveCovering returns the output positions [lo, hi) whose bins hold
// input position i: adaptiveBin's lo <= i exactly for o < ceil((i+1)*out/in),
// and its hi > i exactly for o >= floor(i*out/in).
func adaptiveCovering(i, in, out int) (lo, hi int) {
	return i * out / in, ((i+1)*out + in - 1) / in
}

// BinH returns the input rows [lo, hi) output row o pools.
func (p AdaptivePoolParams) BinH(o int) (lo, hi int) { return adaptiveBin(o, p.H, p.OutH) }

// BinW returns the input columns [lo, hi) output column o pools.
func (p AdaptivePoolParams) BinW(o int) (lo, hi int) { return adaptiveBin(o, p.W, p.OutW) }

// CoverH returns the output rows [lo, hi) whose bins hold input row h.
func (p AdaptivePoolParams) CoverH(h int) (lo, hi int) { return adaptiveCovering(h, p.H, p.OutH) }

// CoverW returns the output columns [lo, hi) whose bins hold input column w.
func (p AdaptivePoolParams) CoverW(w int) (lo, hi int) { return adaptiveCovering(w, p.W, p.OutW) }

// Validate returns an error describing the first inconsistent field. The
// other methods assume a valid p.
func (p AdaptivePoolParams) Validate() error {
	if p.N < 1 || p.H < 1 || p.W < 1 || p.C < 1 || p.OutH < 1 || p.OutW < 1 {
		return fmt.Errorf("adaptive pool2d: non-positive dimension in %+v", p)
	}
	return nil
}
