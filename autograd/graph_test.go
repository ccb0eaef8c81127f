package autograd_test

import (
	"math"
	"reflect"
	"slices"
	"testing"
	"unsafe"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

func newTestDevice() *autograd.Device { return autograd.NewDevice(cpu.New(1)) }

// scalar returns a one-element leaf tensor that wants a gradient.
func scalar(dev *autograd.Device, v float32) *autograd.Tensor {
	return autograd.FromFloat32s(dev, []float32{v}, 1).SetRequiresGrad(true)
}

// gradOf returns the single value of x's gradient, failing when there is none.
func gradOf(t *testing.T, x *autograd.Tensor) float32 {
	t.Helper()
	if x.Grad() == nil {
		t.Fatal("no gradient reached the leaf")
	}
	return x.Grad().Item()
}

// panics reports whether f panics.
func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}

func TestTensorUsedTwiceGetsBothContributions(t *testing.T) {
	dev := newTestDevice()
	x := scalar(dev, 3)
	autograd.Mul(x, x).Backward() // d(x*x)/dx = 2x
	if g := gradOf(t, x); g != 6 {
		t.Errorf("d(x*x)/dx at 3 = %g, want 6", g)
	}
	y := scalar(dev, 3)
	autograd.Add(y, y).Backward() // both inputs are handed the same dy
	if g := gradOf(t, y); g != 2 {
		t.Errorf("d(y+y)/dy = %g, want 2", g)
	}
}

func TestDiamondGraph(t *testing.T) {
	dev := newTestDevice()
	x := scalar(dev, 1.5)
	// h is an interior node read by two ops: z = h*h + h with h = 2x, so
	// dz/dx = 8x + 2 = 14, and h's two incoming gradients must be summed
	// before h's own backward runs.
	h := autograd.Scale(x, 2)
	z := autograd.Add(autograd.Mul(h, h), h)
	z.Backward()
	if g := gradOf(t, x); g != 14 {
		t.Errorf("dz/dx = %g, want 14", g)
	}
}

func TestNoGradRecordsNothing(t *testing.T) {
	dev := newTestDevice()
	x := scalar(dev, 2)
	restore := dev.NoGrad()
	inner := dev.NoGrad()
	inner()
	if dev.Recording() {
		t.Error("NoGrad calls do not nest: recording resumed after the inner restore")
	}
	y := autograd.Mul(x, x)
	restore()
	if !dev.Recording() {
		t.Error("recording did not resume after the outer restore")
	}
	if y.RequiresGrad() {
		t.Error("an op under NoGrad produced a tensor that requires grad")
	}
	if !panics(y.Backward) {
		t.Error("Backward of a tensor made under NoGrad did not panic")
	}
	if x.Grad() != nil {
		t.Error("a gradient reached x through an op recorded under NoGrad")
	}
}

func TestGraphReleasedAfterBackward(t *testing.T) {
	dev := newTestDevice()
	x := scalar(dev, 2)
	h := autograd.Scale(x, 3)
	y := autograd.Mul(h, h)
	y.Backward()
	if h.RequiresGrad() || y.RequiresGrad() {
		t.Error("interior tensors still require grad after Backward released the graph")
	}
	if !panics(y.Backward) {
		t.Error("a second Backward on the same graph did not panic")
	}
	if g := gradOf(t, x); g != 36 { // d(9x^2)/dx = 18x
		t.Errorf("gradient after a refused second Backward = %g, want 36", g)
	}
}

func TestZeroGrad(t *testing.T) {
	dev := newTestDevice()
	x := scalar(dev, 2)
	autograd.Mul(x, x).Backward()
	x.ZeroGrad()
	if x.Grad() != nil {
		t.Fatal("ZeroGrad left a gradient")
	}
	autograd.Scale(x, 5).Backward()
	if g := gradOf(t, x); g != 5 {
		t.Errorf("gradient after ZeroGrad and a fresh pass = %g, want 5", g)
	}
}

func TestGradientsAccumulateAcrossPasses(t *testing.T) {
	dev := newTestDevice()
	x := scalar(dev, 2)
	autograd.Mul(x, x).Backward() // 4
	autograd.Scale(x, 5).Backward()
	if g := gradOf(t, x); g != 9 {
		t.Errorf("gradient after two passes = %g, want 4 + 5", g)
	}
}

func TestBackwardOfNonScalarPanics(t *testing.T) {
	dev := newTestDevice()
	x := autograd.FromFloat32s(dev, []float32{1, 2}, 2).SetRequiresGrad(true)
	y := autograd.Mul(x, x)
	if !panics(y.Backward) {
		t.Error("Backward of a two-element tensor did not panic")
	}
	if !panics(func() { y.BackwardWith(autograd.Zeros(dev, 3)) }) {
		t.Error("BackwardWith a gradient of the wrong shape did not panic")
	}
}

// freeChecker is a backend whose Free is real in the ways that matter for
// ownership bugs: it poisons freed buffers (NaN, math.MinInt32 for Int32,
// 0xa5 for Uint8), so data read after its buffer was freed shows up, it
// records buffers freed twice, and it counts allocations and frees, so
// that the buffers still live are known. Its methods are called by the goroutine
// driving the device only (cleanups hand buffers to the device, they do not
// free them), so it needs no lock.
type freeChecker struct {
	autograd.Backend
	freed         map[unsafe.Pointer]bool
	allocs, frees int
	doubles       int
}

func newFreeChecker(b autograd.Backend) *freeChecker {
	return &freeChecker{Backend: b, freed: map[unsafe.Pointer]bool{}}
}

func (f *freeChecker) Alloc(dt autograd.DType, n int) autograd.Buffer {
	f.allocs++
	return f.Backend.Alloc(dt, n)
}

// TryAlloc makes the checker an autograd.TryAllocator, so that autograd
// frees the buffers of dropped tensors on it as it does on a GPU.
func (f *freeChecker) TryAlloc(dt autograd.DType, n int) (autograd.Buffer, error) {
	return f.Alloc(dt, n), nil
}

func (f *freeChecker) Free(b autograd.Buffer) {
	f.frees++
	if b.Len() == 0 {
		return // empty slices may all share one address
	}
	// The map keeps every freed slice alive, so its address is never
	// handed out again and cannot be mistaken for a double free.
	key := reflect.ValueOf(b).UnsafePointer()
	if f.freed[key] {
		f.doubles++
		return
	}
	f.freed[key] = true
	switch b.DType() {
	case autograd.Int32:
		f.WriteInt32(b, slices.Repeat([]int32{math.MinInt32}, b.Len()))
	case autograd.Uint8:
		f.WriteUint8(b, slices.Repeat([]uint8{0xa5}, b.Len()))
	case autograd.BFloat16:
		nan := f.Backend.Alloc(autograd.Float32, b.Len())
		f.Backend.Fill(nan, float32(math.NaN()))
		f.Convert(b, nan)
	default:
		f.Fill(b, float32(math.NaN()))
	}
}

// live returns the number of buffers allocated and not freed.
func (f *freeChecker) live() int { return f.allocs - f.frees }

// TestReshapeGradientOwnership runs Reshape's backward, which hands dy back
// under a new shape, on a backend that catches a buffer freed twice or
// read after it was freed.
func TestReshapeGradientOwnership(t *testing.T) {
	fc := newFreeChecker(cpu.New(1))
	dev := autograd.NewDevice(fc)
	x := autograd.FromFloat32s(dev, []float32{1, 2, 3, 4, 5, 6}, 2, 3).SetRequiresGrad(true)
	w := autograd.FromFloat32s(dev, []float32{6, 5, 4, 3, 2, 1}, 6)
	// Two reshapes in a row, the first one's output used twice (its dy is
	// the sum of an engine-owned tensor and a clone), then reshaped again.
	r := autograd.Reshape(x, 6)
	y := autograd.Add(autograd.Mul(r, w), r)
	z := autograd.Reshape(autograd.Reshape(y, 3, -1), -1, 1)
	z.BackwardWith(autograd.FromFloat32s(dev, []float32{1, 1, 1, 2, 2, 2}, 6, 1))
	if fc.doubles != 0 {
		t.Errorf("%d buffers were freed twice", fc.doubles)
	}
	want := []float32{7, 6, 5, 8, 6, 4} // upstream * (w + 1)
	g := x.Grad()
	if g == nil {
		t.Fatal("no gradient reached x through Reshape")
	}
	if !slices.Equal(g.Float32s(), want) || !g.Shape().Equal(x.Shape()) {
		t.Errorf("gradient through Reshape = %v of shape %v, want %v of shape %v", g.Float32s(), g.Shape(), want, x.Shape())
	}
}
