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
