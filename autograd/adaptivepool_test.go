package autograd_test

import (
	"fmt"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// poolCalls counts the pooling kernels a backend is asked to run.
type poolCalls struct {
	autograd.Backend
	avg, adaptive int
}

func (b *poolCalls) AvgPool2D(p autograd.PoolParams, x, y autograd.Buffer) {
	b.avg++
	b.Backend.AvgPool2D(p, x, y)
}

func (b *poolCalls) AvgPool2DBackward(p autograd.PoolParams, dy, dx autograd.Buffer) {
	b.avg++
	b.Backend.AvgPool2DBackward(p, dy, dx)
}

func (b *poolCalls) AdaptiveAvgPool2D(p autograd.AdaptivePoolParams, x, y autograd.Buffer) {
	b.adaptive++
	b.Backend.AdaptiveAvgPool2D(p, x, y)
}

func (b *poolCalls) AdaptiveAvgPool2DBackward(p autograd.AdaptivePoolParams, dy, dx autograd.Buffer) {
	b.adaptive++
	b.Backend.AdaptiveAvgPool2DBackward(p, dy, dx)
}

// TestAdaptiveAvgPoolEvenRunsAvgPool checks that adaptive pooling whose
// output sides divide the input's runs average pooling's kernels (its
// windows are the bins, and the kernels are faster), and that any other
// size runs the adaptive ones, forward and backward.
func TestAdaptiveAvgPoolEvenRunsAvgPool(t *testing.T) {
	for _, c := range []struct {
		h, w, oh, ow  int
		avg, adaptive int
	}{
		{14, 14, 7, 7, 2, 0},
		{14, 12, 7, 3, 2, 0},
		{7, 7, 7, 7, 2, 0}, // a copy, as 1x1 windows
		{8, 8, 7, 7, 0, 2},
		{14, 13, 7, 7, 0, 2},
		{3, 3, 7, 7, 0, 2},
	} {
		be := &poolCalls{Backend: cpu.New(1)}
		dev := autograd.NewDevice(be)
		x := autograd.Zeros(dev, 2, c.h, c.w, 3).SetRequiresGrad(true)
		y := autograd.AdaptiveAvgPool2D(x, c.oh, c.ow)
		y.BackwardWith(autograd.Full(dev, 1, y.Shape()...))
		name := fmt.Sprintf("%dx%d->%dx%d", c.h, c.w, c.oh, c.ow)
		if be.avg != c.avg || be.adaptive != c.adaptive {
			t.Errorf("%s: %d average and %d adaptive pooling calls, want %d and %d", name, be.avg, be.adaptive, c.avg, c.adaptive)
		}
		if want := (autograd.Shape{2, c.oh, c.ow, 3}); !y.Shape().Equal(want) {
			t.Errorf("%s: shape %v, want %v", name, y.Shape(), want)
		}
	}
}
