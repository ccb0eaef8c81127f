package nn

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/meta"
)

// TestConv2DRect checks a 1x7 and a 7x1 convolution padded as Inception v3
// pads them: KRSC weights, no bias, the map size kept.
func TestConv2DRect(t *testing.T) {
	dev := meta.NewDevice()
	b := NewShapeBuilder(dev)
	x := autograd.Empty(dev, autograd.Float32, 2, 17, 17, 8)
	for _, c := range []struct{ kh, kw int }{{1, 7}, {7, 1}} {
		conv := b.Conv2DRect(8, 6, [2]int{c.kh, c.kw}, autograd.Conv2DOptions{Padding: [2]int{c.kh / 2, c.kw / 2}}, false)
		if got, want := conv.Weight.Shape(), (autograd.Shape{6, c.kh, c.kw, 8}); !got.Equal(want) || conv.Bias != nil {
			t.Errorf("%dx%d: weight %v (bias %v), want %v and no bias", c.kh, c.kw, got, conv.Bias != nil, want)
		}
		if got, want := conv.Forward(x).Shape(), (autograd.Shape{2, 17, 17, 6}); !got.Equal(want) {
			t.Errorf("%dx%d: output %v, want %v", c.kh, c.kw, got, want)
		}
	}
}
