package cpu

import "github.com/gocnn/gocnn/autograd"

// winogradConv, where the build has it (winograd_amd64.go), computes the
// 3x3 stride-1 convolution g of x into y by Winograd F(2x2, 3x3), reading
// the filters from w (K, 3, 3, C) as they are, or, with flipped, as the
// flipped, transposed filters of a backward-data pass (transposedAsConv),
// w then being (g.C, 3, 3, g.K).
var winogradConv func(b *Backend, g convGeom, x, w []float32, flipped bool, y []float32)

// winogradFilterGrad, where the build has it (winograd_filter_amd64.go),
// sets dw (K, 3, 3, C) to the filter gradient of the 3x3 stride-1
// convolution g of x, given its output gradient dy, by Winograd F(2x2, 3x3).
var winogradFilterGrad func(b *Backend, g convGeom, x, dy, dw []float32)

// winogradWideFrom is the filter count from which the Winograd passes run
// their whole-batch schedule (winogradWide, winogradFilterWide) instead of
// one block of tiles at a time: there the transformed filters (16 C K
// floats, 4 MiB at 256 channels) no longer stay in the cache, and the
// blocked schedule reads them all once per block of tiles (the filter
// gradient, its (16, C, K) accumulator once per chunk of images).
const winogradWideFrom = 256

// winogradRule says which convolutions a backend computes by Winograd.
type winogradRule int

const (
	winogradMeasured winogradRule = iota // where winogradPays
	winogradAlways                       // every geometry it can compute: for tests and benchmarks
	winogradNever                        // no geometry: the direct paths, for benchmarks
)

// winogradPays is the rule measured with BenchmarkConvPasses on this
// project's 2-core AVX2 machine (per core, by CPU time; docs/winograd.md),
// for all three passes: both channel counts 16 to 512. From 16 to 128
// channels the blocked schedule ran forward and backward-data 1.2 to 1.7
// times the direct path's GFLOP/s and the filter gradient 1.7 to 2.5
// times; at 256 and 512 the blocked schedule was no faster or slower, and
// the whole-batch one (winogradWideFrom) ran all three passes 1.4 to 1.9
// times the direct path (ResNet-18's 7x7x256 and 4x4x512 layers at batch
// 32, on a loaded machine). Above 512 it is not measured.
func winogradPays(g convGeom) bool { return min(g.C, g.K) >= 16 && max(g.C, g.K) <= 512 }

// useWinograd reports whether b computes the convolution g (forward, or
// backward-data as the convolution of transposedAsConv) by Winograd.
func (b *Backend) useWinograd(g convGeom) bool { return winogradConv != nil && b.winogradChosen(g) }

// useWinogradFilter reports whether b computes the filter gradient of the
// convolution g by Winograd.
func (b *Backend) useWinogradFilter(g convGeom) bool {
	return winogradFilterGrad != nil && b.winogradChosen(g)
}

// winogradChosen reports whether b's rule picks Winograd for g, one it fits.
func (b *Backend) winogradChosen(g convGeom) bool {
	return b.winogradFits(g) && (b.winograd == winogradAlways || winogradPays(g))
}

// winogradFits reports whether the convolution g is one Winograd may
// compute on b: 3x3, stride 1, no dilation, one group, at fp32 (a
// narrowed precision rounds the operands of the products, which
// Winograd's transformed operands would change: SetPrecision's reference
// must stay exact), and b's rule not winogradNever.
func (b *Backend) winogradFits(g convGeom) bool {
	if b.precision != autograd.FP32 || b.winograd == winogradNever {
		return false
	}
	return g.R == 3 && g.S == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilH == 1 && g.DilW == 1 && g.Groups == 1
}
