package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
)

// TestAlexNet2012Split checks that the two-tower model on two CPU logical
// devices computes what AlexNet2012 computes on one: the same logits and
// the same gradient of every parameter, in training mode (dropout masks
// included), from the same weights.
//
// The results agree to float32 rounding, not bit for bit: the split sums
// some products in another order (conv3's input gradient is the sum of the
// two towers' parts; GEMMs over half the columns block differently). The
// tolerance, |got-want| <= 1e-5*max|want| + 1e-4*|want| per tensor, is
// about a hundred rounding steps of float32 at the tensor's scale, while a
// misplaced channel, a missing halo in the LRN or a wrong dropout mask
// changes values by percents (the input is scaled so that LRN's
// normalisation is far from the identity).
func TestAlexNet2012Split(t *testing.T) {
	const n, size, classes, seed = 2, 227, 10, 7
	o := Options{Classes: classes}
	one := autograd.NewDevice(cpu.NewNamed("cpu", 2))
	devs := [2]*autograd.Device{
		autograd.NewDevice(cpu.NewNamed("cpu:0", 1)),
		autograd.NewDevice(cpu.NewNamed("cpu:1", 1)),
	}
	single := AlexNet2012(nn.NewBuilder(one, seed), o)
	split := NewAlexNet2012Split(devs, o)
	split.LoadFrom(single)

	rng := rand.New(rand.NewPCG(1, 2))
	img := make([]float32, n*size*size*3)
	for i := range img {
		img[i] = 100 * float32(rng.NormFloat64())
	}
	labels := []int32{3, 8}
	run := func(m nn.Module, dev *autograd.Device) *autograd.Tensor {
		dev.SeedDropout(seed)
		x := autograd.FromFloat32s(dev, img, n, size, size, 3)
		logits := m.Forward(x)
		loss := autograd.SoftmaxCrossEntropy(logits, autograd.FromInt32s(dev, labels, n), autograd.CrossEntropyOptions{})
		loss.Backward()
		return logits
	}
	want := run(single, one)
	got := run(split, devs[0])
	if got.Device() != devs[0] {
		t.Errorf("logits on %s, want %s", got.Device().Name(), devs[0].Name())
	}
	closeTo(t, "logits", got.Float32s(), want.Float32s())

	full := map[string]*autograd.Tensor{}
	for _, p := range nn.Parameters(single) {
		full[p.Name] = p.Tensor
	}
	shares := split.Shares()
	if len(shares) != 2*len(full) {
		t.Fatalf("%d shares for %d parameters", len(shares), len(full))
	}
	for i, s := range shares {
		tower := split.Towers[i/len(full)]
		if s.Tensor.Device() != tower.Dev {
			t.Errorf("%s share at %d on %s, want %s", s.Name, s.Offset, s.Tensor.Device().Name(), tower.Dev.Name())
		}
		g := full[s.Name].Grad().Float32s()
		closeTo(t, fmt.Sprintf("gradient of %s [%d:]", s.Name, s.Offset), s.Tensor.Grad().Float32s(), g[s.Offset:s.Offset+s.Tensor.Numel()])
	}
}

// TestAlexNet2012SplitStore checks that StoreTo gives back the weights
// LoadFrom took, exactly: both only copy.
func TestAlexNet2012SplitStore(t *testing.T) {
	o := Options{Classes: 5} // odd: the towers' shares of fc8 differ
	src := AlexNet2012(nn.NewBuilder(autograd.NewDevice(cpu.New(1)), 3), o)
	devs := [2]*autograd.Device{autograd.NewDevice(cpu.NewNamed("cpu:0", 1)), autograd.NewDevice(cpu.NewNamed("cpu:1", 1))}
	split := NewAlexNet2012Split(devs, o)
	split.LoadFrom(src)
	dst := AlexNet2012(nn.NewBuilder(autograd.NewDevice(cpu.New(1)), 4), o)
	split.StoreTo(dst)
	want := nn.Parameters(src)
	for i, p := range nn.Parameters(dst) {
		w := want[i].Tensor.Float32s()
		for j, v := range p.Tensor.Float32s() {
			if v != w[j] {
				t.Fatalf("%s[%d] = %g after the round trip, want %g", p.Name, j, v, w[j])
			}
		}
	}
}

// TestAlexNet2012SplitMismatch checks that loading a model the split does
// not divide (another model) panics instead of loading a part.
func TestAlexNet2012SplitMismatch(t *testing.T) {
	devs := [2]*autograd.Device{autograd.NewDevice(cpu.NewNamed("cpu:0", 1)), autograd.NewDevice(cpu.NewNamed("cpu:1", 1))}
	split := NewAlexNet2012Split(devs, Options{Classes: 10})
	other := AlexNet(nn.NewShapeBuilder(autograd.NewDevice(cpu.New(1))), Options{Classes: 10})
	defer func() {
		if recover() == nil {
			t.Error("LoadFrom of torchvision's AlexNet did not panic")
		}
	}()
	split.LoadFrom(other)
}

// closeTo reports the first elements outside
// |got-want| <= 1e-5*max|want| + 1e-4*|want| (see TestAlexNet2012Split).
func closeTo(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(float64(w)))
	}
	bad := 0
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if !(math.Abs(g-w) <= 1e-5*scale+1e-4*math.Abs(w)) {
			if bad < 3 {
				t.Errorf("%s[%d] = %g, want %g (max |want| %g)", what, i, g, w, scale)
			}
			bad++
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
}
