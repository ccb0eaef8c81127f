package optim_test

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/optim"
)

// TestEMA follows torchvision's ExponentialMovingAverage by hand with decay
// 0.9 on a weight and a running-mean buffer:
//
//	created from 1, 10: avg = 1, 10 (a copy)
//	values 2, 20, update 1 copies:   2, 20
//	values 3, 30, update 2 blends:   0.9*2 + 0.1*3 = 2.1,  18 + 3 = 21
//	values 4, 40, update 3 blends:   1.89 + 0.4 = 2.29,    18.9 + 4 = 22.9
//	Reset, values 5, 50, update:     5, 50 (a copy again)
func TestEMA(t *testing.T) {
	dev := newDevice()
	w := autograd.FromFloat32s(dev, []float32{1}, 1)
	mean := autograd.FromFloat32s(dev, []float32{10}, 1)
	ema, err := optim.NewEMA([]optim.Param{{Name: "fc.weight", Tensor: w}, {Name: "bn.running_mean", Tensor: mean}}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, want ...float64) {
		t.Helper()
		for i, p := range ema.Params() {
			near(t, what+" "+p.Name, p.Tensor.Float32s(), want[i:i+1], 1e-6, 1e-6)
		}
	}
	set := func(a, b float32) {
		w.CopyFrom(autograd.FromFloat32s(dev, []float32{a}, 1))
		mean.CopyFrom(autograd.FromFloat32s(dev, []float32{b}, 1))
	}
	check("created", 1, 10)
	set(2, 20)
	ema.Update()
	check("first update", 2, 20)
	set(3, 30)
	ema.Update()
	check("second update", 2.1, 21)

	saved := ema.State()
	resumed, err := optim.NewEMA([]optim.Param{{Name: "fc.weight", Tensor: w}, {Name: "bn.running_mean", Tensor: mean}}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.LoadState(saved); err != nil {
		t.Fatal(err)
	}
	set(4, 40)
	ema.Update()
	resumed.Update()
	check("third update", 2.29, 22.9)
	for i, p := range resumed.Params() {
		near(t, "resumed "+p.Name, p.Tensor.Float32s(), []float64{2.29, 22.9}[i:i+1], 1e-6, 1e-6)
	}
	ema.Reset()
	set(5, 50)
	ema.Update()
	check("after reset", 5, 50)
	if ema.NumAveraged() != 1 {
		t.Errorf("NumAveraged = %d, want 1", ema.NumAveraged())
	}
	bad := ema.State()
	delete(bad.Tensors, "fc.weight")
	if resumed.LoadState(bad) == nil {
		t.Error("LoadState accepted a state without fc.weight")
	}
}

func TestEMADecay(t *testing.T) {
	// torchvision: 8 GPUs x 128, update every 32 steps, 600 epochs, decay
	// 0.99998: 1 - 0.00002*8*128*32/600 = 1 - 0.00109227 = 0.99890773.
	if got := optim.EMADecay(0.99998, 8, 128, 32, 600); got < 0.998907 || got > 0.9989078 {
		t.Errorf("EMADecay = %v, want 0.99890773", got)
	}
	if got := optim.EMADecay(0.9, 8, 128, 32, 1); got != 0 {
		t.Errorf("EMADecay = %v, want 0 (alpha capped at 1)", got)
	}
}
