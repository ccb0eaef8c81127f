package autograd_test

import (
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// TestOnGradReadyFiresOnceComplete checks the gradient-ready hook on
// z = w2 * relu(w1 * x) + 2 * w2, where w2 is read by two ops after w1's:
// w2's hook runs once, with both contributions summed, and before the
// pass has reached w1, whose hook runs last.
// x, a leaf without a hook, and u, a hooked leaf outside the graph, are
// not reported.
func TestOnGradReadyFiresOnceComplete(t *testing.T) {
	dev := newTestDevice()
	x := scalar(dev, 3)
	w1, w2, u := scalar(dev, 0.5), scalar(dev, -2), scalar(dev, 7)
	type event struct {
		name      string
		grad      float32
		w1Reached bool
	}
	var events []event
	hook := func(name string) func(*autograd.Tensor) {
		return func(leaf *autograd.Tensor) {
			events = append(events, event{name, leaf.Grad().Item(), w1.Grad() != nil})
		}
	}
	w1.OnGradReady(hook("w1"))
	w2.OnGradReady(hook("w2"))
	u.OnGradReady(hook("u"))
	z := autograd.Add(autograd.Mul(w2, autograd.ReLU(autograd.Mul(w1, x))), autograd.Scale(w2, 2))
	z.Backward()
	// dz/dw2 = relu(w1 x) + 2 = 3.5; dz/dw1 = w2 x = -6.
	want := []event{{"w2", 3.5, false}, {"w1", -6, true}}
	if !slices.Equal(events, want) {
		t.Errorf("hooks ran as %+v, want %+v", events, want)
	}
}

// TestOnGradReadyLeafRootAndRemoval checks the hook when Backward starts
// at the leaf itself, that it runs again in a later pass, and that a nil
// hook removes it.
func TestOnGradReadyLeafRootAndRemoval(t *testing.T) {
	dev := newTestDevice()
	x := scalar(dev, 1)
	calls := 0
	x.OnGradReady(func(*autograd.Tensor) { calls++ })
	x.Backward()
	autograd.Scale(x, 3).Backward()
	if calls != 2 {
		t.Errorf("hook ran %d times in two passes, want 2", calls)
	}
	x.OnGradReady(nil)
	autograd.Scale(x, 3).Backward()
	if calls != 2 {
		t.Errorf("removed hook ran")
	}
	if g := gradOf(t, x); g != 7 {
		t.Errorf("gradient %g after three passes, want 1+3+3", g)
	}
}

func TestOnGradReadyOnNonLeafPanics(t *testing.T) {
	dev := newTestDevice()
	y := autograd.Scale(scalar(dev, 1), 2)
	if !panics(func() { y.OnGradReady(func(*autograd.Tensor) {}) }) {
		t.Error("OnGradReady on a recorded tensor did not panic")
	}
}
