package cpu

import (
	"github.com/gocnn/gocnn/autograd"
	"math"
	"math/rand/v2"
	"testing"
)

// TestReLUBackwardMask checks the branch-free mask against x > 0 on the
// values where bit tricks go wrong: signed zeros, subnormals, the largest
// finite values, infinities and NaNs of both signs, and random normals.
func TestReLUBackwardMask(t *testing.T) {
	inf := float32(math.Inf(1))
	x := []float32{0, float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		math.MaxFloat32, -math.MaxFloat32, inf, -inf, float32(math.NaN()),
		math.Float32frombits(0xffc00000), math.Float32frombits(0x7f800001), 1, -1}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		x = append(x, float32(rng.NormFloat64()))
	}
	dy, dx := make([]float32, len(x)), make([]float32, len(x))
	for i := range dy {
		dy[i] = float32(i + 1)
	}
	reluBackward(x, nil, dy, dx)
	for i, v := range x {
		want := float32(0)
		if v > 0 {
			want = dy[i]
		}
		if math.Float32bits(dx[i]) != math.Float32bits(want) {
			t.Errorf("x=%g (bits %#08x): dx=%g, want %g", v, math.Float32bits(v), dx[i], want)
		}
	}
}

// BenchmarkReLUBackward times ReLU's backward loop on random signs, the
// case a branch mispredicts.
func BenchmarkReLUBackward(b *testing.B) {
	const n = 1 << 16
	rng := rand.New(rand.NewPCG(1, 2))
	x, dy, dx := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], dy[i] = float32(rng.NormFloat64()), 1
	}
	f := activationBackward(autograd.ActReLU)
	b.SetBytes(3 * 4 * n)
	for b.Loop() {
		f(x, nil, dy, dx)
	}
}
