package models

import (
	"testing"

	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
)

// TestDefaultsNameRegisteredModels checks that every model given natural
// defaults is registered, so that a misspelt name cannot leave a model at
// 1000 classes unnoticed.
func TestDefaultsNameRegisteredModels(t *testing.T) {
	for name := range natural {
		if _, err := Lookup(name); err != nil {
			t.Errorf("defaults for %s: %v", name, err)
		}
	}
}

// TestDefaultsAreThePapers checks the defaults against the anchors of the
// models defined with other classes or channels, and ImageNet's for one
// that is not.
func TestDefaultsAreThePapers(t *testing.T) {
	for _, c := range []struct {
		name   string
		params int
	}{{"resnet20", 269_722}, {"plain20", 269_722}, {"unet", 31_030_658}, {"unet_bn", 31_037_698}, {"resnet50", 25_557_032}} {
		s, err := Lookup(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := nn.NumParams(s.New(nn.NewShapeBuilder(meta.NewDevice()), s.Defaults())); got != c.params {
			t.Errorf("%s at its defaults %+v: %d parameters, want %d", c.name, s.Defaults(), got, c.params)
		}
	}
}
