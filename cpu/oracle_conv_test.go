//go:build !cuda

package cpu_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestConvOracle checks the convolution kernels against gorgonia, an
// independent float64 NCHW implementation: forward, and both gradients of
// sum(y * u) for a random u.
func TestConvOracle(t *testing.T) {
	for _, p := range []autograd.ConvParams{
		{N: 2, H: 6, W: 5, C: 3, K: 4, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		{N: 1, H: 9, W: 7, C: 4, K: 5, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		{N: 2, H: 8, W: 6, C: 2, K: 3, R: 5, S: 3, StrideH: 2, StrideW: 1, PadH: 2, PadW: 0, DilH: 1, DilW: 1, Groups: 1},
	} {
		t.Run(fmt.Sprintf("%dx%d_s%d,%d_p%d,%d", p.R, p.S, p.StrideH, p.StrideW, p.PadH, p.PadW), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(p.R*p.S), 5))
			x := randSlice(rng, p.N*p.H*p.W*p.C)     // (N, H, W, C)
			w := randSlice(rng, p.K*p.R*p.S*p.C)     // (K, R, S, C)
			u := randSlice(rng, p.N*p.P()*p.Q()*p.K) // (N, P, Q, K)
			wantY, wantDx, wantDw := gorgoniaConv(t, p, x, w, u)

			be := cpu.New(2)
			buf := func(v []float32) autograd.Buffer {
				b := be.Alloc(autograd.Float32, len(v))
				be.WriteFloat32(b, v)
				return b
			}
			xb, wb, ub := buf(x), buf(w), buf(u)
			y, dx, dw := be.Alloc(autograd.Float32, len(u)), be.Alloc(autograd.Float32, len(x)), be.Alloc(autograd.Float32, len(w))
			be.Conv2D(p, xb, wb, y)
			be.Conv2DBackwardData(p, ub, wb, dx)
			be.Conv2DBackwardFilter(p, xb, ub, dw)
			near(t, "forward", cpu.Float32s(y), nchwToNHWC(wantY, p.N, p.K, p.P(), p.Q()))
			near(t, "backward data", cpu.Float32s(dx), nchwToNHWC(wantDx, p.N, p.C, p.H, p.W))
			near(t, "backward filter", cpu.Float32s(dw), nchwToNHWC(wantDw, p.K, p.C, p.R, p.S))
		})
	}
}

// gorgoniaConv returns gorgonia's y = conv2d(x, w) and the gradients of
// sum(y * u), all NCHW (filters KCRS), given NHWC inputs.
func gorgoniaConv(t *testing.T, p autograd.ConvParams, x, w, u []float32) (y, dx, dw []float64) {
	t.Helper()
	g := G.NewGraph()
	node := func(name string, v []float64, shape ...int) *G.Node {
		return G.NewTensor(g, G.Float64, 4, G.WithShape(shape...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
	}
	xn := node("x", nhwcToNCHW(x, p.N, p.H, p.W, p.C), p.N, p.C, p.H, p.W)
	wn := node("w", nhwcToNCHW(w, p.K, p.R, p.S, p.C), p.K, p.C, p.R, p.S)
	un := node("u", nhwcToNCHW(u, p.N, p.P(), p.Q(), p.K), p.N, p.K, p.P(), p.Q())
	yn := G.Must(G.Conv2d(xn, wn, tensor.Shape{p.R, p.S}, []int{p.PadH, p.PadW}, []int{p.StrideH, p.StrideW}, []int{1, 1}))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(yn, un))))
	grads, err := G.Grad(cost, xn, wn)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	data := func(n *G.Node) []float64 { return n.Value().Data().([]float64) }
	return data(yn), data(grads[0]), data(grads[1])
}

func nhwcToNCHW(v []float32, n, h, w, c int) []float64 {
	out := make([]float64, len(v))
	for i := range n {
		for j := range h {
			for k := range w {
				for l := range c {
					out[((i*c+l)*h+j)*w+k] = float64(v[((i*h+j)*w+k)*c+l])
				}
			}
		}
	}
	return out
}

func nchwToNHWC(v []float64, n, c, h, w int) []float64 {
	out := make([]float64, len(v))
	for i := range n {
		for l := range c {
			for j := range h {
				for k := range w {
					out[((i*h+j)*w+k)*c+l] = v[((i*c+l)*h+j)*w+k]
				}
			}
		}
	}
	return out
}
