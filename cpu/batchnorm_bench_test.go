package cpu_test

import (
	"fmt"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// BenchmarkBatchNorm runs the three batch-norm widths of ResNet-20 at
// batch 128 and one of ResNet-50 at 112 input, batch 16. Bytes count
// each pass over (M, C) data the kernel must make at least once: x and y
// forward; x, dy and dx backward.
func BenchmarkBatchNorm(b *testing.B) {
	for _, s := range []struct{ n, hw, c int }{
		{128, 32 * 32, 16}, {128, 16 * 16, 32}, {128, 8 * 8, 64}, {16, 28 * 28, 256},
	} {
		be := cpu.New(0)
		p := autograd.NormParams{M: s.n * s.hw, C: s.c, Eps: 1e-5}
		mc := p.M * p.C
		x, y, dx := randBuffer(be, mc), be.Alloc(autograd.Float32, mc), be.Alloc(autograd.Float32, mc)
		vec := func() autograd.Buffer {
			v := be.Alloc(autograd.Float32, s.c)
			be.Fill(v, 1)
			return v
		}
		gamma, beta, mean, invStd, runMean, runVar, dgamma, dbeta := vec(), vec(), vec(), vec(), vec(), vec(), vec(), vec()
		name := fmt.Sprintf("N=%d,HW=%d,C=%d", s.n, s.hw, s.c)
		b.Run(name+"/train", func(b *testing.B) {
			for b.Loop() {
				be.BatchNormTrain(p, x, gamma, beta, nil, y, mean, invStd)
			}
			reportGBs(b, 4*2*mc)
		})
		b.Run(name+"/infer", func(b *testing.B) {
			for b.Loop() {
				be.BatchNormInfer(p, x, gamma, beta, runMean, runVar, nil, y)
			}
			reportGBs(b, 4*2*mc)
		})
		b.Run(name+"/backward", func(b *testing.B) {
			for b.Loop() {
				be.BatchNormBackward(p, true, x, nil, y, gamma, mean, invStd, dx, dgamma, dbeta, nil)
			}
			reportGBs(b, 4*3*mc)
		})
	}
}
