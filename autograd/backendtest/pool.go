package backendtest

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var (
	_ = register("MaxPool2D", testMaxPool)
	_ = register("AvgPool2D", testAvgPool)
	_ = register("GlobalAvgPool", testGlobalAvgPool)
)

// poolCase is one pooling configuration; wantP and wantQ, when set, are
// output sizes PyTorch gives for it.
type poolCase struct {
	name         string
	n, h, w, c   int
	o            autograd.PoolOptions
	wantP, wantQ int
}

// naivePool is a float64 pooling reference over (N, H, W, C) data written
// from the definitions: it enumerates windows, taps and the count of taps
// inside the (possibly padded) input directly.
type naivePool struct {
	poolCase
	stride [2]int
	p, q   int
}

func newNaivePool(pc poolCase) naivePool {
	np := naivePool{poolCase: pc, stride: pc.o.Stride}
	for i := range np.stride {
		if np.stride[i] == 0 {
			np.stride[i] = pc.o.Kernel[i]
		}
	}
	np.p = np.outputs(pc.h, 0)
	np.q = np.outputs(pc.w, 1)
	return np
}

// outputs counts the windows along axis: each must end within the padded
// input (or, in ceil mode, within one stride short of a full step past it)
// and, in ceil mode, start before the right padding.
func (np naivePool) outputs(in, axis int) int {
	k, s, pad := np.o.Kernel[axis], np.stride[axis], np.o.Padding[axis]
	limit := in + 2*pad
	if np.o.CeilMode {
		limit += s - 1
	}
	n := 0
	for o := 0; o*s+k <= limit && (!np.o.CeilMode || o*s-pad < in); o++ {
		n++
	}
	return n
}

// run calls f(out, taps) for every output element with the values of the
// window taps inside the input and the number of taps average pooling
// divides by.
func (np naivePool) run(x []float64, f func(out int, taps []float64, count int)) {
	kh, kw := np.o.Kernel[0], np.o.Kernel[1]
	ph, pw := np.o.Padding[0], np.o.Padding[1]
	taps := make([]float64, 0, kh*kw)
	out := 0
	for n := range np.n {
		for p := range np.p {
			for q := range np.q {
				for c := range np.c {
					taps, count := taps[:0], 0
					for r := range kh {
						for s := range kw {
							h, w := p*np.stride[0]-ph+r, q*np.stride[1]-pw+s
							inside := h >= 0 && h < np.h && w >= 0 && w < np.w
							inPadded := h >= -ph && h < np.h+ph && w >= -pw && w < np.w+pw
							if inside {
								taps = append(taps, x[((n*np.h+h)*np.w+w)*np.c+c])
							}
							if inside || (inPadded && !np.o.ExcludePad) {
								count++
							}
						}
					}
					f(out, taps, count)
					out++
				}
			}
		}
	}
}

// distinct returns n values spaced well beyond the central-difference step
// in random order, so that no window has a tie for its maximum.
func distinct(rng *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i, j := range rng.Perm(n) {
		out[i] = float32(j)/float32(n)*4 - 2
	}
	return out
}

func checkPoolCase(t *testing.T, dev *autograd.Device, pc poolCase, isMax bool) {
	t.Helper()
	np := newNaivePool(pc)
	if (pc.wantP != 0 && np.p != pc.wantP) || (pc.wantQ != 0 && np.q != pc.wantQ) {
		t.Fatalf("%s: reference has %dx%d outputs, PyTorch %dx%d", pc.name, np.p, np.q, pc.wantP, pc.wantQ)
	}
	shape := []int{pc.n, pc.h, pc.w, pc.c}
	rng := newRand(t)
	forward := func(in []*autograd.Tensor) *autograd.Tensor {
		pool := autograd.AvgPool2D
		if isMax {
			pool = autograd.MaxPool2D
		}
		y := pool(in[0], pc.o)
		if got := y.Shape(); !got.Equal(autograd.Shape{pc.n, np.p, np.q, pc.c}) {
			t.Errorf("%s: output shape %v, want %v", pc.name, got, []int{pc.n, np.p, np.q, pc.c})
		}
		return y
	}
	ref := func(in [][]float64) []float64 {
		out := make([]float64, pc.n*np.p*np.q*pc.c)
		np.run(in[0], func(i int, taps []float64, count int) {
			if isMax {
				out[i] = math.Inf(-1)
				for _, v := range taps {
					out[i] = math.Max(out[i], v)
				}
				return
			}
			for _, v := range taps {
				out[i] += v
			}
			out[i] /= float64(count)
		})
		return out
	}
	check(t, dev, opCase{
		name:    pc.name,
		inputs:  []input{{shape: shape, data: distinct(rng, pc.n*pc.h*pc.w*pc.c), grad: true}},
		forward: forward,
		ref:     ref,
		atol:    1e-6, rtol: 1e-5,
	})
}

// pair returns a (height, width) pair.
func pair(h, w int) [2]int { return [2]int{h, w} }

func testMaxPool(t *testing.T, dev *autograd.Device) {
	for _, pc := range []poolCase{
		{name: "3x3 s2 p1 (ResNet)", n: 2, h: 9, w: 8, c: 3, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(2, 2), Padding: pair(1, 1)}},
		{name: "3x3 s2 ceil (GoogLeNet)", n: 2, h: 8, w: 9, c: 3, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(2, 2), CeilMode: true}, wantP: 4, wantQ: 4},
		{name: "3x3 s1 p1 (Inception branch)", n: 1, h: 5, w: 6, c: 4, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(1, 1), Padding: pair(1, 1)}},
		{name: "2x2 s2 (VGG, UNet)", n: 2, h: 8, w: 7, c: 3, o: autograd.PoolOptions{Kernel: pair(2, 2)}, wantP: 4, wantQ: 3},
		{name: "3x3 s2 (AlexNet)", n: 1, h: 11, w: 9, c: 5, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(2, 2)}, wantP: 5, wantQ: 4},
		{name: "1x1 s2 (ResNet type-A shortcut)", n: 2, h: 7, w: 8, c: 3, o: autograd.PoolOptions{Kernel: pair(1, 1), Stride: pair(2, 2)}, wantP: 4, wantQ: 4},
		{name: "3x2 s(2,1) p(1,1)", n: 1, h: 7, w: 5, c: 2, o: autograd.PoolOptions{Kernel: pair(3, 2), Stride: pair(2, 1), Padding: pair(1, 1)}},
		{name: "3x3 s2 p1 ceil overhang", n: 1, h: 6, w: 5, c: 3, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(2, 2), Padding: pair(1, 1), CeilMode: true}, wantP: 4, wantQ: 3},
		{name: "2x2 s2 p1 ceil, last window dropped", n: 1, h: 5, w: 5, c: 2, o: autograd.PoolOptions{Kernel: pair(2, 2), Stride: pair(2, 2), Padding: pair(1, 1), CeilMode: true}, wantP: 3, wantQ: 3},
	} {
		checkPoolCase(t, dev, pc, true)
	}
	testMaxPoolTies(t, dev)
}

// testMaxPoolTies checks PyTorch's tie rule, which the suite's distinct
// inputs never exercise: the first tap in row-major window order wins, so
// a constant input routes each gradient to its window's top-left tap.
func testMaxPoolTies(t *testing.T, dev *autograd.Device) {
	x := autograd.Zeros(dev, 1, 4, 4, 1).SetRequiresGrad(true)
	y := autograd.MaxPool2D(x, autograd.PoolOptions{Kernel: pair(2, 2)})
	y.BackwardWith(autograd.Full(dev, 1, 1, 2, 2, 1))
	want := []float32{1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0}
	if got := x.Grad().Float32s(); !slices.Equal(got, want) {
		t.Errorf("max pool of a constant: gradient %v, want %v", got, want)
	}
}

func testAvgPool(t *testing.T, dev *autograd.Device) {
	for _, pc := range []poolCase{
		{name: "2x2 s2 (DenseNet transition)", n: 2, h: 8, w: 7, c: 3, o: autograd.PoolOptions{Kernel: pair(2, 2)}, wantP: 4, wantQ: 3},
		{name: "3x3 s1 p1 counting padding", n: 2, h: 5, w: 6, c: 3, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(1, 1), Padding: pair(1, 1)}},
		{name: "3x3 s1 p1 excluding padding", n: 2, h: 5, w: 6, c: 3, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(1, 1), Padding: pair(1, 1), ExcludePad: true}},
		{name: "3x3 s2 p1 ceil overhang counting padding", n: 1, h: 6, w: 8, c: 2, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(2, 2), Padding: pair(1, 1), CeilMode: true}, wantP: 4, wantQ: 5},
		{name: "3x3 s2 p1 ceil overhang excluding padding", n: 1, h: 6, w: 8, c: 2, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(2, 2), Padding: pair(1, 1), CeilMode: true, ExcludePad: true}, wantP: 4, wantQ: 5},
		{name: "3x3 s2 ceil no padding", n: 1, h: 8, w: 7, c: 2, o: autograd.PoolOptions{Kernel: pair(3, 3), Stride: pair(2, 2), CeilMode: true}, wantP: 4, wantQ: 3},
		{name: "2x2 s2 p1 ceil, last window dropped", n: 1, h: 5, w: 6, c: 2, o: autograd.PoolOptions{Kernel: pair(2, 2), Stride: pair(2, 2), Padding: pair(1, 1), CeilMode: true}, wantP: 3, wantQ: 4},
		{name: "5x3 s3 p(2,1) (AlexNet-style rectangle)", n: 1, h: 10, w: 7, c: 2, o: autograd.PoolOptions{Kernel: pair(5, 3), Stride: pair(3, 3), Padding: pair(2, 1)}},
	} {
		checkPoolCase(t, dev, pc, false)
	}
}

func testGlobalAvgPool(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, shape := range [][]int{{3, 5, 7, 4}, {2, 1, 1, 6}, {1, 8, 8, 3}} {
		n, hw, c := shape[0], shape[1]*shape[2], shape[3]
		check(t, dev, opCase{
			name:    "GlobalAvgPool",
			inputs:  []input{{shape: shape, data: randn(rng, n*hw*c), grad: true}},
			forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.GlobalAvgPool(in[0]) },
			ref: func(in [][]float64) []float64 {
				out := make([]float64, n*c)
				for i, v := range in[0] {
					out[i/(hw*c)*c+i%c] += v / float64(hw)
				}
				return out
			},
			atol: 1e-6, rtol: 1e-5,
		})
	}
}
