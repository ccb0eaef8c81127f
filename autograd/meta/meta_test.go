package meta

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

func TestShapesWithoutData(t *testing.T) {
	dev := NewDevice()
	a := autograd.FromFloat32s(dev, []float32{1, 2, 3, 4, 5, 6}, 2, 3).SetRequiresGrad(true)
	b := autograd.Full(dev, 7, 2, 3)
	y := autograd.Mul(a, b)
	if !y.Shape().Equal(autograd.Shape{2, 3}) || y.DType() != autograd.Float32 {
		t.Fatalf("Mul on meta: %v", y)
	}
	for i, v := range y.Float32s() {
		if v != 0 {
			t.Fatalf("element %d reads %v; meta reads must be zeros", i, v)
		}
	}
	if got := autograd.Empty(dev, autograd.Int32, 5).Buffer().Len(); got != 5 {
		t.Fatalf("Int32 buffer of 5 has length %d", got)
	}
}

func TestAllocNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Alloc(-1) did not panic")
		}
	}()
	New().Alloc(autograd.Float32, -1)
}

// TestMemoryCount checks that the backend counts the bytes its buffers
// would hold, freed ones given back, and the most at once.
func TestMemoryCount(t *testing.T) {
	b := New()
	dev := autograd.NewDevice(b)
	x := autograd.Empty(dev, autograd.Float32, 10)
	func() {
		defer dev.Scope().Close()
		autograd.Empty(dev, autograd.Int32, 5)
		autograd.Empty(dev, autograd.Uint8, 3)
	}()
	if b.InUse() != 40 || b.Peak() != 63 {
		t.Errorf("in use %d, peak %d; want 40 and 63", b.InUse(), b.Peak())
	}
	x.Release()
	if b.InUse() != 0 {
		t.Errorf("in use %d after releasing everything", b.InUse())
	}
}
