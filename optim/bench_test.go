package optim_test

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/optim"
)

// BenchmarkStep times one Step over a ResNet-18-sized parameter (11.7M
// elements) for each optimizer.
func BenchmarkStep(b *testing.B) {
	const n = 11_689_512
	for kind, build := range optimizers {
		b.Run(kind, func(b *testing.B) {
			dev := autograd.NewDevice(cpu.New(0))
			w := autograd.Zeros(dev, n).SetRequiresGrad(true)
			w.SetGrad(autograd.Full(dev, 0.01, n))
			opt, err := build([]optim.Group{{Params: []optim.Param{{Name: "w", Tensor: w}}, WeightDecay: 1e-4}})
			if err != nil {
				b.Fatal(err)
			}
			opt.Step() // allocate the state
			b.SetBytes(int64(n * 4))
			b.ResetTimer()
			for range b.N {
				opt.Step()
			}
		})
	}
}
