package models

import (
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
)

// TestEvalForwardIsBatchInvariant checks that on the CPU backend, in
// evaluation mode, an image's logits are the same bits whatever batch it
// is computed in (alone, in pairs, in a batch of 8): the comparisons of
// several devices or accumulated passes with one large batch rely on it,
// since a rounding difference in the forward pass can move an activation
// across a ReLU's kink and change a gradient by far more than rounding.
// The models cover the direct, Winograd, pointwise, grouped and depthwise
// convolutions, pooling, batch norm and linear layers.
func TestEvalForwardIsBatchInvariant(t *testing.T) {
	for _, c := range []struct {
		name string
		side int
	}{{"resnet20", 32}, {"mobilenet_v2", 64}, {"resnext50_32x4d", 32}} {
		dev := autograd.NewDevice(cpu.New(2))
		m, err := New(c.name, nn.NewBuilder(dev, 1), Options{Classes: 10})
		if err != nil {
			t.Fatal(err)
		}
		nn.SetTraining(m, false)
		r := rand.New(rand.NewPCG(1, 2))
		n, per := 8, c.side*c.side*3
		x := make([]float32, n*per)
		for i := range x {
			x[i] = r.Float32()*2 - 1
		}
		whole := m.Forward(autograd.FromFloat32s(dev, x, n, c.side, c.side, 3)).Float32s()
		for _, b := range []int{1, 2} {
			for i := 0; i < n; i += b {
				part := m.Forward(autograd.FromFloat32s(dev, x[i*per:(i+b)*per], b, c.side, c.side, 3)).Float32s()
				for j, v := range part {
					if w := whole[i*10+j]; v != w {
						t.Fatalf("%s: logit %d of image %d is %v in batches of %d, %v in one of %d", c.name, j%10, i+j/10, v, b, w, n)
					}
				}
			}
		}
	}
}
