package models

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
)

// wantOutput is the shape a model must produce for a batch of n images of
// side size: logits, or per-pixel logits for segmentation.
func wantOutput(name string, n, size, classes int) autograd.Shape {
	if name == "unet" || name == "unet_bn" {
		return autograd.Shape{n, size, size, classes}
	}
	return autograd.Shape{n, classes}
}

// TestOutputShapesAtFullSize runs every model at its usual input size
// (224, 227 for alexnet2012, 299 for xception and inception_v3, 32 for
// CIFAR) on the meta backend, in training mode and in evaluation mode.
func TestOutputShapesAtFullSize(t *testing.T) {
	for _, s := range All() {
		for _, o := range []Options{{Classes: 7}, {Classes: 7, AuxLogits: true, InChannels: 1}} {
			dev := meta.NewDevice()
			m := s.New(nn.NewShapeBuilder(dev), o)
			x := autograd.Empty(dev, autograd.Float32, 2, s.Input, s.Input, o.inChannels())
			want := wantOutput(s.Name, 2, s.Input, 7)
			if got := m.Forward(x).Shape(); !got.Equal(want) {
				t.Errorf("%s %+v at %d: output %v, want %v", s.Name, o, s.Input, got, want)
			}
			nn.SetTraining(m, false)
			if got := m.Forward(x).Shape(); !got.Equal(want) {
				t.Errorf("%s %+v at %d, eval: output %v, want %v", s.Name, o, s.Input, got, want)
			}
		}
	}
}

// TestAuxShapes checks ForwardAux: one output per auxiliary classifier in
// training mode, none in evaluation mode.
func TestAuxShapes(t *testing.T) {
	for _, c := range []struct {
		name string
		aux  int
	}{{"googlenet", 2}, {"inception_v3", 1}} {
		s, err := Lookup(c.name)
		if err != nil {
			t.Fatal(err)
		}
		dev := meta.NewDevice()
		m := s.New(nn.NewShapeBuilder(dev), Options{Classes: 5, AuxLogits: true}).(AuxClassifier)
		x := autograd.Empty(dev, autograd.Float32, 3, s.Input, s.Input, 3)
		logits, aux := m.ForwardAux(x)
		if !logits.Shape().Equal(autograd.Shape{3, 5}) || len(aux) != c.aux {
			t.Fatalf("%s, training: logits %v and %d aux outputs, want [3 5] and %d", c.name, logits.Shape(), len(aux), c.aux)
		}
		for i, a := range aux {
			if !a.Shape().Equal(autograd.Shape{3, 5}) {
				t.Errorf("%s aux %d: %v, want [3 5]", c.name, i+1, a.Shape())
			}
		}
		nn.SetTraining(m, false)
		if _, aux := m.ForwardAux(x); len(aux) != 0 {
			t.Errorf("%s: eval mode returned %d aux outputs", c.name, len(aux))
		}
	}
}

// TestAuxLossWeights checks that exactly the models with auxiliary
// classifiers have a weight for their loss.
func TestAuxLossWeights(t *testing.T) {
	for _, s := range All() {
		_, hasAux := s.New(nn.NewShapeBuilder(meta.NewDevice()), Options{AuxLogits: true}).(AuxClassifier)
		if w := s.AuxLossWeight(); hasAux != (w > 0) {
			t.Errorf("%s: auxiliary classifiers %v, loss weight %v", s.Name, hasAux, w)
		}
	}
}
