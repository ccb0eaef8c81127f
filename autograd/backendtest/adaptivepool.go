package backendtest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("AdaptiveAvgPool2D", testAdaptiveAvgPool)

// adaptiveBins returns, for each of out outputs along an axis of in
// positions, the weight 1/size of every input position in its bin, with
// PyTorch's bins written from their definition in real arithmetic:
// [floor(o*in/out), ceil((o+1)*in/out)).
func adaptiveBins(in, out int) [][]float64 {
	m := make([][]float64, out)
	for o := range m {
		m[o] = make([]float64, in)
		lo := int(math.Floor(float64(o) * float64(in) / float64(out)))
		hi := int(math.Ceil(float64(o+1) * float64(in) / float64(out)))
		for i := lo; i < hi; i++ {
			m[o][i] = 1 / float64(hi-lo)
		}
	}
	return m
}

// adaptiveRef is the float64 reference: y[b, p, q, k] = sum over i, j of
// mh[p][i] * mw[q][j] * x[b, i, j, k], the mean over the bin since the
// weights of a bin are 1/(rows*cols) of it.
func adaptiveRef(x []float64, n, h, w, c, oh, ow int) []float64 {
	mh, mw := adaptiveBins(h, oh), adaptiveBins(w, ow)
	out := make([]float64, n*oh*ow*c)
	for b := range n {
		for p := range oh {
			for q := range ow {
				for k := range c {
					var s float64
					for i := range h {
						for j := range w {
							s += mh[p][i] * mw[q][j] * x[((b*h+i)*w+j)*c+k]
						}
					}
					out[((b*oh+p)*ow+q)*c+k] = s
				}
			}
		}
	}
	return out
}

// adaptiveAdjointRef returns the gradient of adaptiveRef with respect to
// x: dx[b, i, j, k] = sum over p, q of mh[p][i] * mw[q][j] * dy[b, p, q, k].
func adaptiveAdjointRef(dy []float64, n, h, w, c, oh, ow int) []float64 {
	mh, mw := adaptiveBins(h, oh), adaptiveBins(w, ow)
	dx := make([]float64, n*h*w*c)
	for b := range n {
		for i := range h {
			for j := range w {
				for k := range c {
					var s float64
					for p := range oh {
						for q := range ow {
							s += mh[p][i] * mw[q][j] * dy[((b*oh+p)*ow+q)*c+k]
						}
					}
					dx[((b*h+i)*w+j)*c+k] = s
				}
			}
		}
	}
	return dx
}

func testAdaptiveAvgPool(t *testing.T, dev *autograd.Device) {
	// PyTorch's adaptive_avg_pool1d of the ramp 0, 1, ..., in-1, worked out
	// by hand from its bins; each ramp runs along W, then along H.
	for _, c := range []struct {
		in, out int
		want    []float64
	}{
		{8, 7, []float64{0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5}}, // [0,2) [1,3) [2,4) ... [6,8)
		{13, 7, []float64{0.5, 2, 4, 6, 8, 10, 11.5}},        // [0,2) [1,4) [3,6) [5,8) [7,10) [9,12) [11,13)
		{5, 7, []float64{0, 0.5, 1.5, 2, 2.5, 3.5, 4}},       // [0,1) [0,2) [1,3) [2,3) [2,4) [3,5) [4,5)
		{1, 7, []float64{0, 0, 0, 0, 0, 0, 0}},               // every bin is the one element
		{7, 6, []float64{0.5, 1.5, 2.5, 3.5, 4.5, 5.5}},      // AlexNet at 256: [0,2) [1,3) [2,4) [3,5) [4,6) [5,7)
		{14, 7, []float64{0.5, 2.5, 4.5, 6.5, 8.5, 10.5, 12.5}},
	} {
		ramp := make([]float32, c.in)
		for i := range ramp {
			ramp[i] = float32(i)
		}
		for _, alongH := range []bool{false, true} {
			shape, oh, ow := []int{1, 1, c.in, 1}, 1, c.out
			if alongH {
				shape, oh, ow = []int{1, c.in, 1, 1}, c.out, 1
			}
			y := autograd.AdaptiveAvgPool2D(autograd.FromFloat32s(dev, ramp, shape...), oh, ow)
			allClose(t, fmt.Sprintf("AdaptiveAvgPool2D ramp %d->%d along H=%v", c.in, c.out, alongH), y.Float32s(), c.want, 1e-6, 0)
		}
	}

	rng := newRand(t)
	for _, c := range []struct{ n, h, w, ch, oh, ow int }{
		{2, 8, 8, 3, 7, 7},   // VGG at 256
		{1, 13, 13, 2, 7, 7}, // overlapping bins of 2 and 3
		{2, 5, 5, 2, 7, 7},   // smaller than the output: repeats
		{2, 1, 1, 3, 7, 7},   // VGG at 32: one pixel everywhere
		{2, 7, 7, 3, 6, 6},   // AlexNet at 256
		{1, 8, 13, 2, 7, 6},  // non-square, down in both
		{2, 3, 10, 2, 5, 4},  // up in H, down in W
		{1, 14, 12, 2, 7, 6}, // even: AvgPool2D's equal windows
		{1, 6, 6, 2, 6, 6},   // same size: a copy
	} {
		check(t, dev, opCase{
			name:   fmt.Sprintf("AdaptiveAvgPool2D%v->%dx%d", []int{c.n, c.h, c.w, c.ch}, c.oh, c.ow),
			inputs: []input{{shape: []int{c.n, c.h, c.w, c.ch}, data: randn(rng, c.n*c.h*c.w*c.ch), grad: true}},
			forward: func(in []*autograd.Tensor) *autograd.Tensor {
				y := autograd.AdaptiveAvgPool2D(in[0], c.oh, c.ow)
				if want := (autograd.Shape{c.n, c.oh, c.ow, c.ch}); !y.Shape().Equal(want) {
					t.Errorf("AdaptiveAvgPool2D of %v to %dx%d: shape %v, want %v", []int{c.n, c.h, c.w, c.ch}, c.oh, c.ow, y.Shape(), want)
				}
				return y
			},
			ref: func(in [][]float64) []float64 {
				return adaptiveRef(in[0], c.n, c.h, c.w, c.ch, c.oh, c.ow)
			},
			atol: 1e-6, rtol: 1e-5,
		})
	}
	testAdaptiveAvgPoolLarge(t, dev)
}

// testAdaptiveAvgPoolLarge runs sizes a multi-worker backend splits (VGG's
// 512 channels at 256 and 100 input, AlexNet's 256 at 256) and checks the
// gradient against the adjoint of the reference (central differences would
// take too long).
func testAdaptiveAvgPoolLarge(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, c := range []struct{ n, h, w, ch, oh, ow int }{
		{3, 8, 8, 512, 7, 7},
		{3, 3, 3, 512, 7, 7},
		{4, 7, 7, 256, 6, 6},
		{2, 29, 31, 64, 7, 7},
	} {
		xv, dyv := randn(rng, c.n*c.h*c.w*c.ch), randn(rng, c.n*c.oh*c.ow*c.ch)
		x := autograd.FromFloat32s(dev, xv, c.n, c.h, c.w, c.ch).SetRequiresGrad(true)
		y := autograd.AdaptiveAvgPool2D(x, c.oh, c.ow)
		name := fmt.Sprintf("AdaptiveAvgPool2D large %v->%dx%d", []int{c.n, c.h, c.w, c.ch}, c.oh, c.ow)
		allClose(t, name, y.Float32s(), adaptiveRef(toFloat64(xv), c.n, c.h, c.w, c.ch, c.oh, c.ow), 1e-5, 1e-5)
		y.BackwardWith(autograd.FromFloat32s(dev, dyv, c.n, c.oh, c.ow, c.ch))
		allClose(t, name+" gradient", x.Grad().Float32s(), adaptiveAdjointRef(toFloat64(dyv), c.n, c.h, c.w, c.ch, c.oh, c.ow), 1e-5, 1e-5)
	}
}
