package cpu_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// resnet20Convs are the 3x3 pad-1 convolutions of ResNet-20's three
// stages at batch 128.
var resnet20Convs = []autograd.ConvParams{
	conv3x3(128, 32, 16, 16),
	conv3x3(128, 16, 32, 32),
	conv3x3(128, 8, 64, 64),
}

func conv3x3(n, hw, c, k int) autograd.ConvParams {
	return autograd.ConvParams{N: n, H: hw, W: hw, C: c, K: k, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}
}

func BenchmarkConv2D(b *testing.B) {
	be := cpu.New(0)
	for _, p := range resnet20Convs {
		x := randBuffer(be, p.N*p.H*p.W*p.C)
		w := randBuffer(be, p.K*p.R*p.S*p.C/p.Groups)
		y := randBuffer(be, p.N*p.P()*p.Q()*p.K)
		flops := 2 * float64(p.N*p.P()*p.Q()*p.K*p.R*p.S*p.C/p.Groups)
		name := fmt.Sprintf("%dx%dx%d-%d", p.H, p.W, p.C, p.K)
		for _, k := range []struct {
			pass string
			run  func()
		}{
			{"forward", func() { be.Conv2D(p, x, w, y) }},
			{"backward-data", func() { be.Conv2DBackwardData(p, y, w, x) }},
			{"backward-filter", func() { be.Conv2DBackwardFilter(p, x, y, w) }},
		} {
			b.Run(name+"/"+k.pass, func(b *testing.B) {
				for b.Loop() {
					k.run()
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	be := cpu.New(0)
	for _, s := range []struct{ m, n, k int }{{64, 64, 64}, {256, 256, 256}, {1024, 1024, 1024}, {16384, 16, 144}, {1024, 64, 576}} {
		a := randBuffer(be, s.m*s.k)
		bb := randBuffer(be, s.k*s.n)
		c := randBuffer(be, s.m*s.n)
		b.Run(fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k), func(b *testing.B) {
			for b.Loop() {
				be.Gemm(false, true, s.m, s.n, s.k, 1, a, bb, 0, c)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// randBuffer returns a buffer of n standard normal values: zeros would
// flatter kernels that skip zero operands (gonum's GEMM does).
func randBuffer(be *cpu.Backend, n int) autograd.Buffer {
	buf := be.Alloc(autograd.Float32, n)
	be.WriteFloat32(buf, randSlice(rand.New(rand.NewPCG(uint64(n), 3)), n))
	return buf
}

// randSlice returns n standard normal values.
func randSlice(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}
