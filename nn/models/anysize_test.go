package models

import (
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
)

// anySizes are input sides at which AlexNet's and VGG's last maps do not
// divide their adaptive pooling's output (6x6 and 7x7): 256 leaves 7x7 and
// 8x8 maps (uneven, overlapping bins), 100 and 64 leave maps smaller than
// the output (repeated pixels). AlexNet2012's unpadded first convolution
// needs 67 where the others take 64.
func anySizes(name string) []int {
	if name == "alexnet2012" {
		return []int{256, 100, 67}
	}
	return []int{256, 100, 64}
}

// adaptivePooled returns the models that end their features in adaptive
// average pooling: AlexNet and VGG.
func adaptivePooled() []Spec {
	var specs []Spec
	for _, s := range All() {
		if strings.HasPrefix(s.Name, "alexnet") || strings.HasPrefix(s.Name, "vgg") {
			specs = append(specs, s)
		}
	}
	return specs
}

// TestAdaptivePooledShapesAtAnySize runs every AlexNet and VGG at sizes
// torchvision accepts and whose maps their adaptive pooling must pool with
// uneven bins, on the meta backend.
func TestAdaptivePooledShapesAtAnySize(t *testing.T) {
	specs := adaptivePooled()
	if len(specs) < 10 {
		t.Fatalf("found %d AlexNet and VGG models, want the 2 AlexNets and 8 VGGs", len(specs))
	}
	for _, s := range specs {
		for _, size := range anySizes(s.Name) {
			dev := meta.NewDevice()
			m := s.New(nn.NewShapeBuilder(dev), Options{Classes: 7})
			x := autograd.Empty(dev, autograd.Float32, 2, size, size, 3)
			if got, want := m.Forward(x).Shape(), (autograd.Shape{2, 7}); !got.Equal(want) {
				t.Errorf("%s at %d: output %v, want %v", s.Name, size, got, want)
			}
		}
	}
}
