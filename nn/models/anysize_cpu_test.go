//go:build !cuda

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

// TestAlexNetVGGTrainAtAnySize runs a training step of vgg16 and alexnet
// on the CPU at 256, 100 and 64 (see anySizes), which torchvision accepts:
// the logits have their shape, the loss is finite, and every parameter
// gets a finite gradient that is not all zeros, so the gradient crossed
// the adaptive pooling.
func TestAlexNetVGGTrainAtAnySize(t *testing.T) {
	if testing.Short() {
		t.Skip("vgg16 at 256 takes seconds; -short")
	}
	dev := autograd.NewDevice(cpu.New(0))
	rng := rand.New(rand.NewPCG(5, 6))
	const n, classes = 2, 10
	labels := autograd.FromInt32s(dev, []int32{3, 8}, n)
	for _, name := range []string{"alexnet", "vgg16"} {
		s, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		m := s.New(nn.NewBuilder(dev, 1), Options{Classes: classes})
		for _, size := range anySizes(name) {
			pixels := make([]float32, n*size*size*3)
			for i := range pixels {
				pixels[i] = float32(rng.NormFloat64())
			}
			logits := m.Forward(autograd.FromFloat32s(dev, pixels, n, size, size, 3))
			if want := (autograd.Shape{n, classes}); !logits.Shape().Equal(want) {
				t.Fatalf("%s at %d: logits %v, want %v", name, size, logits.Shape(), want)
			}
			loss := autograd.SoftmaxCrossEntropy(logits, labels, autograd.CrossEntropyOptions{})
			if l := float64(loss.Item()); math.IsNaN(l) || math.IsInf(l, 0) {
				t.Fatalf("%s at %d: loss %v", name, size, l)
			}
			loss.Backward()
			t.Run(fmt.Sprintf("%s/%d", name, size), func(t *testing.T) { checkGrads(t, m) })
			nn.ZeroGrad(m)
		}
	}
}
