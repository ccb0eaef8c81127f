package nn

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// TestBatchesTrackedOnTheHost counts training forwards on the host and
// finds the count in num_batches_tracked when the buffers are read, not
// before: a forward pass uploads nothing.
func TestBatchesTrackedOnTheHost(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	bn := NewBuilder(dev, 1).BatchNorm2D(2)
	x := autograd.FromFloat32s(dev, []float32{1, 2, 3, 4, 5, 6, 7, 9}, 2, 1, 2, 2)
	for range 3 {
		bn.Forward(x)
	}
	SetTraining(bn, false)
	bn.Forward(x)
	if got := bn.NumBatchesTracked.Int32s()[0]; got != 0 {
		t.Errorf("num_batches_tracked is %d before the buffers are read, want 0 (not uploaded per forward)", got)
	}
	for _, b := range Buffers(bn) {
		if b.Name == "num_batches_tracked" {
			if got := b.Tensor.Int32s()[0]; got != 3 {
				t.Errorf("num_batches_tracked = %d after 3 training forwards and 1 evaluation, want 3", got)
			}
			return
		}
	}
	t.Fatal("no num_batches_tracked buffer")
}

// TestSyncBatchNorm checks that SyncBatchNorm reaches every BatchNorm2D
// of a model, nested ones included: in training each sums its two
// statistics in forward and one reduction in backward over the devices,
// in evaluation none, and a nil sum undoes it.
func TestSyncBatchNorm(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	b := NewBuilder(dev, 1)
	m := NewSequential(b.BatchNorm2D(2), NewSequential(b.BatchNorm2D(2)))
	calls := 0
	SyncBatchNorm(m, 1, func(autograd.Buffer) { calls++ })
	x := autograd.FromFloat32s(dev, []float32{1, 2, 3, 4, 5, 6, 7, 9}, 2, 1, 2, 2).SetRequiresGrad(true)
	m.Forward(x).BackwardWith(autograd.Full(dev, 1, 2, 1, 2, 2))
	if calls != 2*3 {
		t.Errorf("%d sums for a training step of two batch norms, want 6", calls)
	}
	SetTraining(m, false)
	m.Forward(x)
	SetTraining(m, true)
	SyncBatchNorm(m, 1, nil)
	m.Forward(x)
	if calls != 6 {
		t.Errorf("%d sums after an evaluation and an unsynchronised forward, want still 6", calls)
	}
}
