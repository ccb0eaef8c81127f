package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
)

// syntheticBatch returns n random 32x32x3 images and labels in [0, 10).
func syntheticBatch(dev *autograd.Device, n int) (x, labels *autograd.Tensor) {
	r := rand.New(rand.NewPCG(1, 2))
	img := make([]float32, n*32*32*3)
	for i := range img {
		img[i] = float32(r.NormFloat64())
	}
	lab := make([]int32, n)
	for i := range lab {
		lab[i] = int32(r.IntN(10))
	}
	return autograd.FromFloat32s(dev, img, n, 32, 32, 3), autograd.FromInt32s(dev, lab, n)
}

// trainStep runs forward, cross-entropy, backward and a plain SGD update,
// and returns the loss before the update.
func trainStep(m nn.Module, x, labels *autograd.Tensor, lr float32) float32 {
	loss := autograd.SoftmaxCrossEntropy(m.Forward(x), labels, autograd.CrossEntropyOptions{})
	l := loss.Item()
	loss.Backward()
	sgdStep(m, lr)
	return l
}

// TestResNet20TrainStep checks the benchmark's step at a tiny batch: the
// loss is finite and every parameter moves.
func TestResNet20TrainStep(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(0))
	m := NewCIFARResNet(nn.NewBuilder(dev, 1), Options{Classes: 10}, 3, false)
	x, labels := syntheticBatch(dev, 2)
	var before [][]float32
	for _, p := range nn.Parameters(m) {
		before = append(before, p.Tensor.Float32s())
	}
	if l := trainStep(m, x, labels, 0.1); math.IsNaN(float64(l)) || math.IsInf(float64(l), 0) {
		t.Fatalf("loss %v", l)
	}
	for i, p := range nn.Parameters(m) {
		if p.Tensor.Grad() != nil {
			t.Errorf("%s: gradient kept after the step", p.Name)
		}
		moved := false
		for j, v := range p.Tensor.Float32s() {
			moved = moved || v != before[i][j]
		}
		if !moved {
			t.Errorf("%s: unchanged by the SGD step", p.Name)
		}
	}
}

// BenchmarkResNet20TrainStep measures CIFAR ResNet-20 training steps at
// batch 128 on 32x32x3 synthetic images, 10 classes.
func BenchmarkResNet20TrainStep(b *testing.B) { benchCIFARResNet(b, 3, 128) }

// BenchmarkResNet110TrainStep measures CIFAR ResNet-110 training steps at
// batch 64, as scripts/bench-vs-torch.sh times them.
func BenchmarkResNet110TrainStep(b *testing.B) { benchCIFARResNet(b, 18, 64) }

// benchCIFARResNet measures training steps of the 6n+2-layer CIFAR ResNet
// at the given batch on 32x32x3 synthetic images, 10 classes.
func benchCIFARResNet(b *testing.B, n, batch int) {
	dev := autograd.NewDevice(cpu.New(0))
	m := NewCIFARResNet(nn.NewBuilder(dev, 1), Options{Classes: 10}, n, false)
	x, labels := syntheticBatch(dev, batch)
	trainStep(m, x, labels, 0.01) // warm-up
	b.ResetTimer()
	for b.Loop() {
		trainStep(m, x, labels, 0.01)
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "img/s")
}

// BenchmarkUNetTrainStep measures the 2015 U-Net's training steps as
// `train -model unet -dataset builtin-seg` runs them: batch 8 of 32x32
// grayscale images, 11 classes per pixel.
func BenchmarkUNetTrainStep(b *testing.B) {
	dev := autograd.NewDevice(cpu.New(0))
	m := UNet2015(nn.NewBuilder(dev, 1), Options{Classes: 11, InChannels: 1})
	const batch, side = 8, 32
	r := rand.New(rand.NewPCG(1, 2))
	img := make([]float32, batch*side*side)
	for i := range img {
		img[i] = float32(r.NormFloat64())
	}
	mask := make([]int32, batch*side*side)
	for i := range mask {
		mask[i] = int32(r.IntN(11))
	}
	x, labels := autograd.FromFloat32s(dev, img, batch, side, side, 1), autograd.FromInt32s(dev, mask, batch, side, side)
	trainStep(m, x, labels, 0.01) // warm-up
	b.ResetTimer()
	for b.Loop() {
		trainStep(m, x, labels, 0.01)
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "img/s")
}
