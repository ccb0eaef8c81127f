package autograd_test

import (
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// TestMixedActivationsPromote feeds ops one BFloat16 and one Float32
// activation on a device storing bf16: the result is Float32, as PyTorch's
// type promotion makes it, and holds the exact values of the widened bf16
// input beside the Float32 one.
func TestMixedActivationsPromote(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	dev.SetActivationDType(autograd.BFloat16)
	half := []float32{1.5, -2.25, 3.125, 0.0078125} // bf16-exact
	full := []float32{1.0001, -2.0002, 3.0003, 4.0004}
	h := autograd.Stored(autograd.FromFloat32s(dev, half, 2, 2))
	f := autograd.FromFloat32s(dev, full, 2, 2)
	if h.DType() != autograd.BFloat16 {
		t.Fatalf("Stored gave %v", h.DType())
	}
	cat := autograd.Concat(h, f)
	if cat.DType() != autograd.Float32 {
		t.Errorf("Concat of bfloat16 and float32 gave %v, want float32", cat.DType())
	}
	if got, want := cat.Float32s(), []float32{1.5, -2.25, 1.0001, -2.0002, 3.125, 0.0078125, 3.0003, 4.0004}; !slices.Equal(got, want) {
		t.Errorf("Concat = %v, want %v", got, want)
	}
	sum := autograd.Add(h, f)
	if sum.DType() != autograd.Float32 {
		t.Errorf("Add of bfloat16 and float32 gave %v, want float32", sum.DType())
	}
	for i, v := range sum.Float32s() {
		if want := half[i] + full[i]; v != want {
			t.Errorf("Add element %d = %v, want %v", i, v, want)
		}
	}
	if both := autograd.Concat(h, h); both.DType() != autograd.BFloat16 {
		t.Errorf("Concat of two bfloat16 tensors gave %v", both.DType())
	}
}
