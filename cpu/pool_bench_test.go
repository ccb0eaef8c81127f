package cpu_test

import (
	"fmt"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// reportGBs reports bytes moved per call as GB/s (bytes per nanosecond).
func reportGBs(b *testing.B, bytes int) {
	b.ReportMetric(float64(bytes)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GB/s")
}

// poolBench is one pooling layer of a model, N = batch.
type poolBench struct {
	name string
	p    autograd.PoolParams
}

var poolBenches = []poolBench{
	// ResNet-20's type-A shortcuts subsample with a 1x1 stride-2 "pool".
	{"resnet20-shortcut-32x32x16", autograd.PoolParams{N: 128, H: 32, W: 32, C: 16, R: 1, S: 1, StrideH: 2, StrideW: 2}},
	{"resnet20-shortcut-16x16x32", autograd.PoolParams{N: 128, H: 16, W: 16, C: 32, R: 1, S: 1, StrideH: 2, StrideW: 2}},
	// ResNet-18 stem at 112x112 input, batch 32 (the CPU anchor).
	{"resnet18-stem-56x56x64", autograd.PoolParams{N: 32, H: 56, W: 56, C: 64, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}},
	// DenseNet transition.
	{"densenet-2x2-28x28x128", autograd.PoolParams{N: 32, H: 28, W: 28, C: 128, R: 2, S: 2, StrideH: 2, StrideW: 2}},
	// VGG's adaptive pooling at 448 input, batch 32.
	{"vgg-448-2x2-14x14x512", autograd.PoolParams{N: 32, H: 14, W: 14, C: 512, R: 2, S: 2, StrideH: 2, StrideW: 2}},
}

func BenchmarkMaxPool2D(b *testing.B) {
	for _, pb := range poolBenches {
		p := pb.p
		be := cpu.New(0)
		in, out := p.N*p.H*p.W*p.C, p.N*p.P()*p.Q()*p.C
		x, y, dx := randBuffer(be, in), be.Alloc(autograd.Float32, out), be.Alloc(autograd.Float32, in)
		argmax := be.Alloc(autograd.Int32, out)
		b.Run(fmt.Sprintf("%s/forward", pb.name), func(b *testing.B) {
			for b.Loop() {
				be.MaxPool2D(p, x, y, argmax)
			}
			reportGBs(b, 4*(in+2*out))
		})
		b.Run(fmt.Sprintf("%s/backward", pb.name), func(b *testing.B) {
			for b.Loop() {
				be.MaxPool2DBackward(p, y, argmax, dx)
			}
			reportGBs(b, 4*(in+2*out))
		})
	}
}

func BenchmarkAvgPool2D(b *testing.B) {
	for _, pb := range poolBenches {
		p := pb.p
		be := cpu.New(0)
		in, out := p.N*p.H*p.W*p.C, p.N*p.P()*p.Q()*p.C
		x, y, dx := randBuffer(be, in), be.Alloc(autograd.Float32, out), be.Alloc(autograd.Float32, in)
		b.Run(fmt.Sprintf("%s/forward", pb.name), func(b *testing.B) {
			for b.Loop() {
				be.AvgPool2D(p, x, y)
			}
			reportGBs(b, 4*(in+out))
		})
		b.Run(fmt.Sprintf("%s/backward", pb.name), func(b *testing.B) {
			for b.Loop() {
				be.AvgPool2DBackward(p, y, dx)
			}
			reportGBs(b, 4*(in+out))
		})
	}
}

// BenchmarkGlobalAvgPool runs the pooling before the classifier of
// ResNet-20 (8x8x64) and ResNet-50 at 112 input (4x4x2048).
func BenchmarkGlobalAvgPool(b *testing.B) {
	for _, s := range []struct{ n, hw, c int }{{128, 64, 64}, {16, 16, 2048}} {
		be := cpu.New(0)
		x, y, dx := randBuffer(be, s.n*s.hw*s.c), be.Alloc(autograd.Float32, s.n*s.c), be.Alloc(autograd.Float32, s.n*s.hw*s.c)
		bytes := 4 * (s.n*s.hw*s.c + s.n*s.c)
		name := fmt.Sprintf("N=%d,HW=%d,C=%d", s.n, s.hw, s.c)
		b.Run(name+"/forward", func(b *testing.B) {
			for b.Loop() {
				be.GlobalAvgPool(s.n, s.hw, s.c, x, y)
			}
			reportGBs(b, bytes)
		})
		b.Run(name+"/backward", func(b *testing.B) {
			for b.Loop() {
				be.GlobalAvgPoolBackward(s.n, s.hw, s.c, y, dx)
			}
			reportGBs(b, bytes)
		})
	}
}

// BenchmarkAdaptiveAvgPool2D runs VGG's and AlexNet's adaptive pooling at
// 256 input (uneven bins) and VGG's at 448 (even: the same windows as
// BenchmarkAvgPool2D's vgg-448 case, which AdaptiveAvgPool2D runs instead),
// batch 32.
func BenchmarkAdaptiveAvgPool2D(b *testing.B) {
	for _, pb := range []struct {
		name string
		p    autograd.AdaptivePoolParams
	}{
		{"vgg-256-8x8x512", autograd.AdaptivePoolParams{N: 32, H: 8, W: 8, C: 512, OutH: 7, OutW: 7}},
		{"alexnet-256-7x7x256", autograd.AdaptivePoolParams{N: 32, H: 7, W: 7, C: 256, OutH: 6, OutW: 6}},
		{"vgg-448-14x14x512", autograd.AdaptivePoolParams{N: 32, H: 14, W: 14, C: 512, OutH: 7, OutW: 7}},
	} {
		p := pb.p
		be := cpu.New(0)
		in, out := p.N*p.H*p.W*p.C, p.N*p.OutH*p.OutW*p.C
		x, y, dx := randBuffer(be, in), be.Alloc(autograd.Float32, out), be.Alloc(autograd.Float32, in)
		b.Run(pb.name+"/forward", func(b *testing.B) {
			for b.Loop() {
				be.AdaptiveAvgPool2D(p, x, y)
			}
			reportGBs(b, 4*(in+out))
		})
		b.Run(pb.name+"/backward", func(b *testing.B) {
			for b.Loop() {
				be.AdaptiveAvgPool2DBackward(p, y, dx)
			}
			reportGBs(b, 4*(in+out))
		})
	}
}
