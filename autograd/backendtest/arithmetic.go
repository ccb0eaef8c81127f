package backendtest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Arithmetic", testArithmetic)

// testArithmetic checks Div, Sqrt and SumSquares, which no differentiable
// op calls (optim does), on the backend directly. Div and Sqrt must round
// as IEEE 754 does: float64 results rounded to float32 are exact
// references for them.
func testArithmetic(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	be := dev.Backend()
	tensor := func(v []float32) *autograd.Tensor { return autograd.FromFloat32s(dev, v, len(v)) }
	for _, n := range optimSizes {
		a0, b0 := randn(rng, n), randn(rng, n)
		sq0 := make([]float32, n)
		for i, v := range b0 {
			sq0[i] = v * v
		}
		a, b, sq := tensor(a0), tensor(b0), tensor(sq0)
		y := autograd.Empty(dev, autograd.Float32, n)
		wantDiv, wantSqrt := make([]float64, n), make([]float64, n)
		for i := range n {
			wantDiv[i] = float64(float32(float64(a0[i]) / float64(b0[i])))
			wantSqrt[i] = float64(float32(math.Sqrt(float64(sq0[i]))))
		}
		be.Div(a.Buffer(), b.Buffer(), y.Buffer())
		allClose(t, fmt.Sprintf("Div n=%d", n), y.Float32s(), wantDiv, 0, 0)
		be.Sqrt(sq.Buffer(), y.Buffer())
		allClose(t, fmt.Sprintf("Sqrt n=%d", n), y.Float32s(), wantSqrt, 0, 0)
		unchanged(t, "Div", a, a0)
		unchanged(t, "Div", b, b0)
		unchanged(t, "Sqrt", sq, sq0)

		s := autograd.Empty(dev, autograd.Float32, 1)
		be.SumSquares(a.Buffer(), s.Buffer())
		var want float64
		for _, v := range a0 {
			want += float64(v) * float64(v)
		}
		allClose(t, fmt.Sprintf("SumSquares n=%d", n), s.Float32s(), []float64{want}, 0, 1e-6)
		unchanged(t, "SumSquares", a, a0)
	}
}
