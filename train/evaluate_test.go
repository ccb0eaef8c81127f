package train

import (
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/data"
)

// TestScoresSegmentation scores a 2x2 mask of 2 classes where 3 of 4
// pixels are right and the fourth is ignored.
func TestScoresSegmentation(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	// (1, 2, 2, 2) logits: predictions 0, 1, 1, 0.
	logits := autograd.FromFloat32s(dev, []float32{2, 1, 0, 3, -1, 1, 5, 4}, 1, 2, 2, 2)
	masks := autograd.FromInt32s(dev, []int32{0, 1, 0, data.Ignore}, 1, 2, 2)
	s := newScores(2, true)
	if s.hitRanks() != 0 {
		t.Errorf("segmentation scores ask for %d top-k hit counts, want none", s.hitRanks())
	}
	s.addPixels(logits, masks)
	s.add(0.5, 1, nil)
	r := NewRecord(1, 1, "val")
	s.record(&r)
	// Class 0: 1 right of 2 targets, 1 predicted: IoU 1/2. Class 1: IoU 1/2.
	if r.PixelAcc != 100*2.0/3 || r.MIoU != 50 || r.Loss != 0.5 || !math.IsNaN(r.Top1) ||
		len(r.IoU) != 2 || r.IoU[0] != 50 || r.IoU[1] != 50 {
		t.Errorf("record %+v, want pixel accuracy 66.7, mIoU 50, per-class IoU 50 and 50, loss 0.5, no top-1", r)
	}
}
