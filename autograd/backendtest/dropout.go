package backendtest

import (
	"math"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Dropout", testDropout)

func testDropout(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	const p = float32(0.3)
	keep := 1 / (1 - p)

	// The kernel reproduces autograd.DropoutUniform exactly; n is large
	// enough for a multi-worker backend to split it.
	const n = 100003
	be := dev.Backend()
	mask := be.Alloc(autograd.Float32, n)
	be.DropoutMask(p, 0xfeedbeef, mask)
	got := make([]float32, n)
	be.ReadFloat32(got, mask)
	dropped := 0
	for i, v := range got {
		want := keep
		if autograd.DropoutUniform(0xfeedbeef, i) < p {
			want = 0
			dropped++
		}
		if v != want {
			t.Fatalf("DropoutMask element %d = %g, want %g", i, v, want)
		}
	}
	// Binomial(n, p) has a standard deviation of about 145 here.
	if want := float64(p) * n; math.Abs(float64(dropped)-want) > 6*math.Sqrt(want*float64(1-p)) {
		t.Errorf("DropoutMask dropped %d of %d, expected about %g", dropped, n, want)
	}

	// The op's mask is read back by dropping a tensor of ones; reseeding
	// replays it, the next call draws a fresh one.
	shape := []int{3, 5, 7, 4}
	size := 3 * 5 * 7 * 4
	ones := autograd.Full(dev, 1, shape...)
	dev.SeedDropout(7)
	m := autograd.Dropout(ones, p, true).Float32s()
	next := autograd.Dropout(ones, p, true).Float32s()
	for i, v := range m {
		if v != 0 && v != keep {
			t.Fatalf("Dropout mask element %d = %g, want 0 or %g", i, v, keep)
		}
	}
	if slices.Equal(m, next) {
		t.Error("two Dropout calls drew the same mask")
	}
	dev.SeedDropout(7)
	if again := autograd.Dropout(ones, p, true).Float32s(); !slices.Equal(m, again) {
		t.Error("Dropout after the same SeedDropout drew a different mask")
	}
	seed, calls := dev.DropoutState()
	after := autograd.Dropout(ones, p, true).Float32s()
	dev.SetDropoutState(seed, calls)
	if replay := autograd.Dropout(ones, p, true).Float32s(); !slices.Equal(after, replay) {
		t.Error("SetDropoutState did not replay the dropout sequence")
	}

	check(t, dev, opCase{
		name:   "Dropout",
		inputs: []input{{shape: shape, data: randn(rng, size), grad: true}},
		forward: func(in []*autograd.Tensor) *autograd.Tensor {
			dev.SeedDropout(7)
			return autograd.Dropout(in[0], p, true)
		},
		ref: func(in [][]float64) []float64 {
			out := make([]float64, size)
			for i, v := range in[0] {
				out[i] = v * float64(m[i])
			}
			return out
		},
		atol: 1e-6, rtol: 1e-6,
	})

	x := autograd.FromFloat32s(dev, randn(rng, size), shape...)
	if autograd.Dropout(x, p, false) != x || autograd.Dropout(x, 0, true) != x {
		t.Error("Dropout in eval mode or with p = 0 did not return its input")
	}
	for _, bad := range []float32{-0.1, 1, float32(math.NaN())} {
		if !didPanic(func() { autograd.Dropout(x, bad, true) }) {
			t.Errorf("Dropout with p = %g did not panic", bad)
		}
	}
}
