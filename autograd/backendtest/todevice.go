package backendtest

import (
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("ToDevice", testToDevice)

func testToDevice(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	other := autograd.NewDevice(dev.Backend())
	shape := []int{2, 3, 4, 5}
	n := 120
	// A product computed on the other device and brought back: both
	// gradients must return to dev through both directions of the copy.
	check(t, dev, opCase{
		name: "ToDevice",
		inputs: []input{
			{shape: shape, data: randn(rng, n), grad: true},
			{shape: shape, data: randn(rng, n), grad: true},
		},
		forward: func(in []*autograd.Tensor) *autograd.Tensor {
			a, b := autograd.ToDevice(in[0], other), autograd.ToDevice(in[1], other)
			if a.Device() != other {
				t.Errorf("ToDevice result on %p, want %p", a.Device(), other)
			}
			y := autograd.ToDevice(autograd.Mul(a, b), dev)
			if y.Device() != dev {
				t.Errorf("ToDevice back landed on %p, want %p", y.Device(), dev)
			}
			return y
		},
		ref:  productRef,
		atol: 1e-6, rtol: 1e-6,
	})

	x := autograd.FromFloat32s(dev, randn(rng, n), shape...).SetRequiresGrad(true)
	y := autograd.ToDevice(x, other)
	if !slices.Equal(y.Float32s(), x.Float32s()) || !y.Shape().Equal(x.Shape()) {
		t.Error("ToDevice changed the values or the shape")
	}
	seed := randn(rng, n)
	y.BackwardWith(autograd.FromFloat32s(other, seed, shape...))
	if g := x.Grad(); g == nil || g.Device() != dev || !slices.Equal(g.Float32s(), seed) {
		t.Error("ToDevice did not bring the gradient back unchanged to the first device")
	}

	// Even onto its own device the result is a copy.
	want := x.Float32s()
	same := autograd.ToDevice(x, dev)
	same.CopyFrom(autograd.Zeros(dev, shape...))
	if !slices.Equal(x.Float32s(), want) {
		t.Error("ToDevice onto the same device shares the buffer")
	}

	labels := []int32{3, 0, 255, 7}
	l := autograd.ToDevice(autograd.FromInt32s(dev, labels, 4), other)
	if l.DType() != autograd.Int32 || !slices.Equal(l.Int32s(), labels) {
		t.Errorf("ToDevice of Int32 labels gave %v %v", l.DType(), l.Int32s())
	}
}
