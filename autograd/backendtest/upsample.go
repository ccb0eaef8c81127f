package backendtest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Upsample", testUpsample)

// interpMatrix returns the (out, in) matrix of 1-D linear interpolation
// with PyTorch's source coordinates: align_corners maps the end pixels'
// centres onto each other, otherwise src = (dst+0.5)*in/out - 0.5,
// clamped at 0, and the right neighbour is clamped at the last pixel.
func interpMatrix(in, out int, alignCorners bool) [][]float64 {
	m := make([][]float64, out)
	for d := range m {
		m[d] = make([]float64, in)
		src := 0.0
		if alignCorners {
			if out > 1 {
				src = float64(d) * float64(in-1) / float64(out-1)
			}
		} else {
			src = math.Max((float64(d)+0.5)*float64(in)/float64(out)-0.5, 0)
		}
		lo := math.Floor(src)
		hi := math.Min(lo+1, float64(in-1))
		m[d][int(lo)] += 1 - (src - lo)
		m[d][int(hi)] += src - lo
	}
	return m
}

// resizeRef applies the interpolation matrices along H and W of an NHWC x.
func resizeRef(x []float64, n, h, w, c, oh, ow int, alignCorners bool) []float64 {
	mh, mw := interpMatrix(h, oh, alignCorners), interpMatrix(w, ow, alignCorners)
	out := make([]float64, n*oh*ow*c)
	for b := range n {
		for p := range oh {
			for q := range ow {
				for k := range c {
					var s float64
					for i := range h {
						if mh[p][i] == 0 {
							continue
						}
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

func testUpsample(t *testing.T, dev *autograd.Device) {
	// Values PyTorch's documentation implies for a 1-D ramp [0, 1, 2, 3]
	// resized along W: they pin down the coordinate conventions.
	for _, c := range []struct {
		out          int
		alignCorners bool
		want         []float64
	}{
		{2, false, []float64{0.5, 2.5}},
		{2, true, []float64{0, 3}},
		{8, false, []float64{0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3}},
		{7, true, []float64{0, 0.5, 1, 1.5, 2, 2.5, 3}},
		{1, true, []float64{0}},
	} {
		x := autograd.FromFloat32s(dev, []float32{0, 1, 2, 3}, 1, 1, 4, 1)
		y := autograd.Upsample(x, 1, c.out, c.alignCorners)
		allClose(t, fmt.Sprintf("Upsample ramp to %d align=%v", c.out, c.alignCorners), y.Float32s(), c.want, 1e-6, 0)
	}

	rng := newRand(t)
	for _, c := range []struct{ n, h, w, ch, oh, ow int }{
		{2, 3, 5, 3, 7, 4},   // up in H, down in W
		{1, 5, 4, 2, 2, 9},   // down in H, up in W
		{2, 4, 4, 5, 8, 8},   // the 2x of segmentation decoders
		{1, 1, 1, 3, 3, 2},   // a single pixel
		{1, 6, 7, 1, 1, 1},   // down to a single pixel
		{3, 9, 7, 2, 13, 11}, // odd sizes
	} {
		for _, align := range []bool{false, true} {
			check(t, dev, opCase{
				name:   fmt.Sprintf("Upsample%v->%dx%d align=%v", []int{c.n, c.h, c.w, c.ch}, c.oh, c.ow, align),
				inputs: []input{{shape: []int{c.n, c.h, c.w, c.ch}, data: randn(rng, c.n*c.h*c.w*c.ch), grad: true}},
				forward: func(in []*autograd.Tensor) *autograd.Tensor {
					return autograd.Upsample(in[0], c.oh, c.ow, align)
				},
				ref: func(in [][]float64) []float64 {
					return resizeRef(in[0], c.n, c.h, c.w, c.ch, c.oh, c.ow, align)
				},
				atol: 1e-5, rtol: 1e-5,
			})
		}
	}
	testUpsampleLarge(t, dev)
}

// upsampleAdjointRef returns the gradient of resizeRef with respect to x:
// dx[b, i, j, k] = sum over p, q of mh[p][i] * mw[q][j] * dy[b, p, q, k].
func upsampleAdjointRef(dy []float64, n, h, w, c, oh, ow int, alignCorners bool) []float64 {
	mh, mw := interpMatrix(h, oh, alignCorners), interpMatrix(w, ow, alignCorners)
	dx := make([]float64, n*h*w*c)
	for b := range n {
		for p := range oh {
			for i := range h {
				if mh[p][i] == 0 {
					continue
				}
				for q := range ow {
					for j := range w {
						if mw[q][j] == 0 {
							continue
						}
						for k := range c {
							dx[((b*h+i)*w+j)*c+k] += mh[p][i] * mw[q][j] * dy[((b*oh+p)*ow+q)*c+k]
						}
					}
				}
			}
		}
	}
	return dx
}

// testUpsampleLarge runs sizes a multi-worker backend splits, with work
// boundaries inside an image's channels, and checks the gradient against
// the adjoint of the reference (central differences would take too long).
func testUpsampleLarge(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	const n, h, w, c, oh, ow = 2, 32, 31, 12, 64, 63
	xv, dyv := randn(rng, n*h*w*c), randn(rng, n*oh*ow*c)
	for _, align := range []bool{false, true} {
		x := autograd.FromFloat32s(dev, xv, n, h, w, c).SetRequiresGrad(true)
		y := autograd.Upsample(x, oh, ow, align)
		name := fmt.Sprintf("Upsample large align=%v", align)
		allClose(t, name, y.Float32s(), resizeRef(toFloat64(xv), n, h, w, c, oh, ow, align), 1e-5, 1e-5)
		y.BackwardWith(autograd.FromFloat32s(dev, dyv, n, oh, ow, c))
		allClose(t, name+" gradient", x.Grad().Float32s(), upsampleAdjointRef(toFloat64(dyv), n, h, w, c, oh, ow, align), 1e-5, 1e-5)
	}
}
