package train

import (
	"math"
	"testing"
)

func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9+1e-9*math.Abs(want)
}

// TestTopK adds two batches' hit counts (see TopKCounts in the backend
// suite for how they are counted) and merges another accumulator.
func TestTopK(t *testing.T) {
	acc := NewTopK(1, 3)
	if acc.MaxK() != 3 {
		t.Fatalf("MaxK %d, want 3", acc.MaxK())
	}
	// 5 rows: 1 hit at rank 0, 2 more by rank 2, 1 more at rank 3 (not counted).
	acc.AddHits([]float32{1, 2, 3}, 5)
	if acc.Total != 5 || acc.Correct[0] != 1 || acc.Correct[1] != 3 {
		t.Fatalf("total %d correct %v, want 5 [1 3]", acc.Total, acc.Correct)
	}
	if got := acc.Accuracy(1); !near(got, 60) {
		t.Errorf("top-3 accuracy %v, want 60", got)
	}
	other := NewTopK(1, 3)
	other.AddHits([]float32{1, 1, 1}, 1)
	acc.Merge(other)
	if acc.Total != 6 || acc.Correct[0] != 2 || acc.Correct[1] != 4 {
		t.Errorf("after merge: total %d correct %v, want 6 [2 4]", acc.Total, acc.Correct)
	}
	if !math.IsNaN(NewTopK(1).Accuracy(0)) {
		t.Error("accuracy of nothing should be NaN")
	}
}

func TestTopKPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"k=0":          func() { NewTopK(0) },
		"hits":         func() { NewTopK(1, 5).AddHits(make([]float32, 4), 2) },
		"merge ks":     func() { NewTopK(1).Merge(NewTopK(5)) },
		"cm pred":      func() { NewConfusionMatrix(2).Add([]int32{0}, []int32{2}) },
		"cm length":    func() { NewConfusionMatrix(2).Add([]int32{0}, nil) },
		"cm merge":     func() { NewConfusionMatrix(2).Merge(NewConfusionMatrix(3)) },
		"cm 0 classes": func() { NewConfusionMatrix(0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestConfusionMatrix(t *testing.T) {
	// 4 classes; class 3 appears nowhere. Pixels with target 255 or 7
	// are not counted whatever their prediction.
	target := []int32{0, 0, 0, 1, 1, 2, 255, 7, 2}
	pred := []int32{0, 0, 1, 1, 2, 2, 3, 0, 2}
	m := NewConfusionMatrix(4)
	m.Add(target, pred)
	// counted pixels: 7; right: 0,0,1,2,2 -> 5
	if got := m.PixelAccuracy(); !near(got, 100*5.0/7) {
		t.Errorf("pixel accuracy %v, want %v", got, 100*5.0/7)
	}
	// class 0: inter 2, target 3, pred 2 -> 2/3
	// class 1: inter 1, target 2, pred 2 -> 1/3
	// class 2: inter 2, target 2, pred 3 -> 2/3
	want := []float64{200.0 / 3, 100.0 / 3, 200.0 / 3}
	iou := m.IoU()
	for k, w := range want {
		if !near(iou[k], w) {
			t.Errorf("IoU[%d] = %v, want %v", k, iou[k], w)
		}
	}
	if !math.IsNaN(iou[3]) {
		t.Errorf("IoU of an absent class = %v, want NaN", iou[3])
	}
	if got, w := m.MeanIoU(), (want[0]+want[1]+want[2])/3; !near(got, w) {
		t.Errorf("mIoU %v, want %v", got, w)
	}

	// A class only predicted (never a target) has IoU 0 and counts.
	m2 := NewConfusionMatrix(4)
	m2.Add([]int32{0}, []int32{3})
	m.Merge(m2)
	if got := m.IoU()[3]; got != 0 {
		t.Errorf("IoU of a predicted-only class = %v, want 0", got)
	}
	// class 0 now: inter 2, target 4, pred 2 -> 2/4
	if got, w := m.MeanIoU(), (50+want[1]+want[2]+0)/4; !near(got, w) {
		t.Errorf("mIoU after merge %v, want %v", got, w)
	}
	if e := NewConfusionMatrix(3); !math.IsNaN(e.MeanIoU()) || !math.IsNaN(e.PixelAccuracy()) {
		t.Error("metrics of an empty matrix should be NaN")
	}
}
