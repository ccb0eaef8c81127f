package autograd_test

import (
	"runtime"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// TestScopeReleasesEveryStep trains with each step in a scope on a
// backend whose memory the collector does not manage (as a GPU's): after
// every step the net's own buffers are all that is live, without a
// collection, and a collection then finds nothing left for the safety net.
// The losses match a run where nothing is freed, so nothing was released
// while still in use (freed buffers are poisoned).
func TestScopeReleasesEveryStep(t *testing.T) {
	const steps = 10
	want := referenceLosses(steps)
	fc := newFreeChecker(cpu.New(1))
	dev := autograd.NewDevice(fc)
	n := newTinyNet(dev)
	base := dev.Stats().Buffers
	for i := range steps {
		got := func() float32 {
			defer dev.Scope().Close()
			return n.step(dev, i)
		}()
		if got != want[i] {
			t.Fatalf("step %d: loss %v, want %v as without freeing", i, got, want[i])
		}
		if fc.live() != n.buffers() || dev.Stats().Buffers != base {
			t.Fatalf("after step %d: %d buffers live (%d by the device's count), want the net's %d",
				i, fc.live(), dev.Stats().Buffers, n.buffers())
		}
	}
	dev.Reclaim()
	runtime.KeepAlive(n)
	if c := dev.Stats().Collected; c != 0 {
		t.Errorf("the collector found %d tensors the scopes did not release", c)
	}
	if fc.doubles != 0 {
		t.Errorf("%d buffers were freed twice", fc.doubles)
	}
}

// TestSafetyNetIsCounted drops a tensor without releasing it: the
// collector's cleanup frees it and Stats counts it.
func TestSafetyNetIsCounted(t *testing.T) {
	fc := newFreeChecker(cpu.New(1))
	dev := autograd.NewDevice(fc)
	autograd.Zeros(dev, 3)
	dev.Reclaim()
	if s := dev.Stats(); s.Collected != 1 || s.Buffers != 0 || fc.live() != 0 {
		t.Errorf("after dropping one tensor: %+v, %d live; want 1 collected and nothing live", s, fc.live())
	}
}

// TestScopeOwnership checks what a scope releases and what outlives it:
// tensors made before it, gradients of leaves made before it, and tensors
// taken out with Keep survive; a graph recorded in it cannot be run after
// it closed; nested scopes release their own tensors first.
func TestScopeOwnership(t *testing.T) {
	fc := newFreeChecker(cpu.New(1))
	dev := autograd.NewDevice(fc)
	w := autograd.FromFloat32s(dev, []float32{2}, 1).SetRequiresGrad(true)
	var y, kept, inner *autograd.Tensor
	func() {
		defer dev.Scope().Close()
		x := autograd.FromFloat32s(dev, []float32{3}, 1)
		y = autograd.Mul(w, x)
		y.Backward()
		kept = autograd.Scale(x, 2).Keep()
		func() {
			defer dev.Scope().Close()
			inner = autograd.Scale(x, 4)
		}()
		if inner.Buffer() != nil {
			t.Error("the inner scope did not release its tensor")
		}
		if x.Buffer() == nil {
			t.Error("closing the inner scope released a tensor of the outer one")
		}
		y = autograd.Mul(w, x) // recorded, never run
	}()
	if g := w.Grad(); g == nil || g.Item() != 3 {
		t.Fatalf("the gradient of a parameter made before the scope did not survive it: %v", g)
	}
	if kept.Item() != 6 {
		t.Errorf("a kept tensor holds %v, want 6", kept.Item())
	}
	if !panics(y.Backward) {
		t.Error("Backward through a graph whose scope closed did not panic")
	}
	w.ZeroGrad()
	kept.Release()
	if fc.live() != 1 || dev.Stats().Buffers != 1 {
		t.Errorf("%d buffers live (%d by the device's count), want only the parameter's", fc.live(), dev.Stats().Buffers)
	}
}

// TestScopeCloseOrder checks that closing an outer scope before an inner
// one panics, and that closing twice does nothing.
func TestScopeCloseOrder(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	outer := dev.Scope()
	inner := dev.Scope()
	if !panics(outer.Close) {
		t.Error("closing the outer scope first did not panic")
	}
	inner.Close()
	inner.Close()
	outer.Close()
}

// TestSavedBytes counts the buffers a small graph holds: the input, the
// intermediate results and the output, a view's buffer once, the
// parameter not.
func TestSavedBytes(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	w := autograd.FromFloat32s(dev, []float32{1, 2, 3, 4}, 4).SetRequiresGrad(true)
	x := autograd.FromFloat32s(dev, []float32{5, 6, 7, 8}, 4)
	h := autograd.Mul(w, x)
	y := autograd.Scale(autograd.Reshape(autograd.ReLU(h), 2, 2), 2)
	if got, want := y.SavedBytes(), int64(4*4*4); got != want {
		t.Errorf("SavedBytes = %d, want %d (x, h, relu(h) once with its view, y)", got, want)
	}
}
