//go:build !cuda

package cpu_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gorgonia (float64, NCHW) is an independent implementation of max pooling
// and batch norm; these tests compare outputs and gradients of a weighted
// sum against it. Gorgonia's max pool has no ceil mode and its batch-norm
// backward ignores eval mode (it always uses the batch statistics, and its
// 2-D eval branch reads the running variance as the mean), so only floor-
// mode pooling and training-mode batch norm are compared. The last shape
// of each test is big enough for three workers to split the rows, so the
// chunked reductions are checked too (the shared suite's shapes are small).

// toNCHW returns x (N, H, W, C) in float64 as (N, C, H, W); hw = H*W, with
// 1 for (N, C) data.
func toNCHW(x []float32, n, hw, c int) []float64 {
	out := make([]float64, len(x))
	for b := range n {
		for i := range hw {
			for ch := range c {
				out[(b*c+ch)*hw+i] = float64(x[(b*hw+i)*c+ch])
			}
		}
	}
	return out
}

// oracleClose reports mismatches beyond atol + rtol*|want| between got and
// want, which is NCHW with the dimensions of got's NHWC.
func oracleClose(t *testing.T, what string, got []float32, wantNCHW []float64, n, hw, c int) {
	t.Helper()
	want := toNCHW(got, n, hw, c) // shape only; overwritten below
	for b := range n {
		for i := range hw {
			for ch := range c {
				want[(b*hw+i)*c+ch] = wantNCHW[(b*c+ch)*hw+i]
			}
		}
	}
	bad := 0
	for i, g := range got {
		if d := math.Abs(float64(g) - want[i]); d > 1e-5+1e-5*math.Abs(want[i]) {
			if bad < 5 {
				t.Errorf("%s: element %d = %g, gorgonia %g", what, i, g, want[i])
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d elements differ", what, bad, len(got))
	}
}

// gorgoniaNode returns a float64 tensor node holding data.
func gorgoniaNode(g *G.ExprGraph, name string, data []float64, shape ...int) *G.Node {
	v := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithValue(v), G.WithName(name))
}

// weightedSum returns y and the gradients of sum(y * up) with respect to
// wrt, running the graph on gorgonia's tape machine after calling setup
// (when not nil): the machine resets batch-norm statistics when made.
func weightedSum(t *testing.T, g *G.ExprGraph, y *G.Node, up []float64, setup func(), wrt ...*G.Node) (yv []float64, grads [][]float64) {
	t.Helper()
	upN := gorgoniaNode(g, "up", up, y.Shape()...)
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, upN))))
	if _, err := G.Grad(loss, wrt...); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if setup != nil {
		setup()
	}
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	for _, n := range wrt {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads = append(grads, gv.Data().([]float64))
	}
	return y.Value().Data().([]float64), grads
}

func TestMaxPoolAgainstGorgonia(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dev := autograd.NewDevice(cpu.New(3))
	for _, tc := range []struct{ n, h, w, c, k, s, pad int }{
		{2, 9, 8, 3, 3, 2, 1},
		{3, 8, 6, 5, 2, 2, 0},
		{1, 11, 11, 4, 3, 2, 0},
		{16, 32, 32, 6, 3, 2, 1},
	} {
		x32 := randSlice(rng, tc.n*tc.h*tc.w*tc.c)
		o := autograd.PoolOptions{Kernel: [2]int{tc.k, tc.k}, Stride: [2]int{tc.s, tc.s}, Padding: [2]int{tc.pad, tc.pad}}
		x := autograd.FromFloat32s(dev, x32, tc.n, tc.h, tc.w, tc.c).SetRequiresGrad(true)
		y := autograd.MaxPool2D(x, o)
		_, p, q, _ := y.Shape().NHWC("test")
		up := randSlice(rng, y.Numel())
		yGot := y.Float32s()
		y.BackwardWith(autograd.FromFloat32s(dev, up, y.Shape()...))

		g := G.NewGraph()
		xg := gorgoniaNode(g, "x", toNCHW(x32, tc.n, tc.h*tc.w, tc.c), tc.n, tc.c, tc.h, tc.w)
		yg, err := G.MaxPool2D(xg, tensor.Shape{tc.k, tc.k}, []int{tc.pad, tc.pad}, []int{tc.s, tc.s})
		if err != nil {
			t.Fatal(err)
		}
		yWant, grads := weightedSum(t, g, yg, toNCHW(up, tc.n, p*q, tc.c), nil, xg)
		oracleClose(t, "max pool output", yGot, yWant, tc.n, p*q, tc.c)
		oracleClose(t, "max pool gradient", x.Grad().Float32s(), grads[0], tc.n, tc.h*tc.w, tc.c)
	}
}

func TestBatchNormAgainstGorgonia(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	dev := autograd.NewDevice(cpu.New(3))
	const momentum, eps = 0.1, 1e-5
	for _, shape := range [][]int{{4, 5, 3, 6}, {2, 7, 7, 3}, {9, 5}, {16, 32, 32, 6}} {
		n, c := shape[0], shape[len(shape)-1]
		hw := autograd.Shape(shape).Numel() / (n * c)
		x32 := randSlice(rng, n*hw*c)
		gamma, beta, runMean := randSlice(rng, c), randSlice(rng, c), randSlice(rng, c)
		runVar := make([]float32, c)
		for i := range runVar {
			runVar[i] = 0.5 + float32(rng.Float64())
		}
		x := autograd.FromFloat32s(dev, x32, shape...).SetRequiresGrad(true)
		gt := autograd.FromFloat32s(dev, gamma, c).SetRequiresGrad(true)
		bt := autograd.FromFloat32s(dev, beta, c).SetRequiresGrad(true)
		rm, rv := autograd.FromFloat32s(dev, runMean, c), autograd.FromFloat32s(dev, runVar, c)
		y := autograd.BatchNorm(x, gt, bt, rm, rv, autograd.BatchNormOptions{Training: true, Momentum: momentum, Eps: eps})
		up := randSlice(rng, y.Numel())
		yGot := y.Float32s()
		y.BackwardWith(autograd.FromFloat32s(dev, up, y.Shape()...))

		// Gorgonia's BatchNorm takes scale and bias of x's full shape, so
		// gamma and beta are broadcast by hand and their gradients summed.
		nchw := []int{n, c}
		if len(shape) == 4 {
			nchw = []int{n, c, shape[1], shape[2]}
		}
		tile := func(v []float32) []float64 {
			out := make([]float64, n*hw*c)
			for i := range out {
				out[i] = float64(v[i/hw%c])
			}
			return out
		}
		g := G.NewGraph()
		xg := gorgoniaNode(g, "x", toNCHW(x32, n, hw, c), nchw...)
		sg := gorgoniaNode(g, "gamma", tile(gamma), nchw...)
		bg := gorgoniaNode(g, "beta", tile(beta), nchw...)
		yg, _, _, op, err := G.BatchNorm(xg, sg, bg, momentum, eps)
		if err != nil {
			t.Fatal(err)
		}
		rmT := tensor.New(tensor.WithShape(c), tensor.WithBacking(toNCHW(runMean, 1, 1, c)))
		rvT := tensor.New(tensor.WithShape(c), tensor.WithBacking(toNCHW(runVar, 1, 1, c)))
		setStats := func() {
			if err := op.SetStats(rmT, rvT); err != nil {
				t.Fatal(err)
			}
		}
		yWant, grads := weightedSum(t, g, yg, toNCHW(up, n, hw, c), setStats, xg, sg, bg)
		oracleClose(t, "batch norm output", yGot, yWant, n, hw, c)
		oracleClose(t, "batch norm dx", x.Grad().Float32s(), grads[0], n, hw, c)
		for i, p := range []*autograd.Tensor{gt, bt} {
			sum := make([]float64, c)
			for j, v := range grads[i+1] {
				sum[j/hw%c] += v
			}
			oracleClose(t, []string{"batch norm dgamma", "batch norm dbeta"}[i], p.Grad().Float32s(), sum, 1, 1, c)
		}
		wantMean, wantVar := op.Stats()
		oracleClose(t, "running mean", rm.Float32s(), wantMean.Data().([]float64), 1, 1, c)
		oracleClose(t, "running variance", rv.Float32s(), wantVar.Data().([]float64), 1, 1, c)
	}
}
