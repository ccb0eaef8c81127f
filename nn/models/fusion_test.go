package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
)

// TestFusedNormReLUMatchesSeparateOps trains one step and evaluates each
// model family that fuses batch norm with ReLU (nn.Sequential's
// BatchNorm2D-ReLU pairs: convBN, DenseNet, VGG-bn, UNet; the ResNet
// blocks' bn + shortcut + ReLU; the stems and pre-activation blocks), once
// with nn.FuseNormReLU and once without, on the CPU backend: the outputs,
// every parameter's gradient and every buffer (the running statistics)
// must be the same bits, since the fused op rounds as the separate ones.
func TestFusedNormReLUMatchesSeparateOps(t *testing.T) {
	testFusionSwitch(t, &nn.FuseNormReLU, []fusionCase{
		{"resnet18", 32}, {"resnet50", 32}, {"resnet20", 16}, {"preresnet20", 16}, {"plain20", 16},
		{"densenet121", 32}, {"vgg11_bn", 32}, {"unet_bn", 16}, {"googlenet", 32}, {"mobilenet_v1", 32},
	})
}

// TestFusedConvReLUMatchesSeparateOps is TestFusedNormReLUMatchesSeparateOps
// for nn.FuseConvReLU: the models whose convolutions have a bias, with a
// ReLU after (nn.Sequential's Conv2D-ReLU pairs in VGG and both AlexNets)
// or without (VGG-bn's convolutions before their batch norm, U-Net's last
// layer), trained a step and evaluated with the convolution's epilogue and
// with Conv2D, AddBias and ReLU: the same bits.
func TestFusedConvReLUMatchesSeparateOps(t *testing.T) {
	testFusionSwitch(t, &nn.FuseConvReLU, []fusionCase{
		{"vgg11", 32}, {"vgg11_bn", 32}, {"alexnet", 64}, {"alexnet2012", 67}, {"unet", 16},
	})
}

// fusionCase is a model and the side of the images it is run on.
type fusionCase struct {
	name string
	side int
}

// testFusionSwitch runs trainStepBits on every case with *fuse true and
// then false and fails on any bit that differs.
func testFusionSwitch(t *testing.T, fuse *bool, cases []fusionCase) {
	defer func(f bool) { *fuse = f }(*fuse)
	for _, c := range cases {
		var runs [2][][]float32
		for i, fused := range []bool{true, false} {
			*fuse = fused
			runs[i] = trainStepBits(t, c.name, c.side)
		}
		if len(runs[0]) != len(runs[1]) {
			t.Fatalf("%s: %d results fused, %d not", c.name, len(runs[0]), len(runs[1]))
		}
		for j := range runs[0] {
			a, b := runs[0][j], runs[1][j]
			for k := range a {
				if math.Float32bits(a[k]) != math.Float32bits(b[k]) {
					t.Errorf("%s: result %d (outputs, then gradients, then buffers) element %d is %v fused, %v separate", c.name, j, k, a[k], b[k])
					break
				}
			}
		}
	}
}

// trainStepBits builds name on a fresh CPU device with a fixed seed, runs a
// training step's forward and backward on a batch of two side x side
// images and an evaluation forward, and returns both outputs, every
// parameter gradient and every buffer.
func trainStepBits(t *testing.T, name string, side int) [][]float32 {
	t.Helper()
	dev := autograd.NewDevice(cpu.New(2))
	m, err := New(name, nn.NewBuilder(dev, 1), Options{Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 2*side*side*3)
	for i := range x {
		x[i] = r.Float32()*2 - 1
	}
	in := autograd.FromFloat32s(dev, x, 2, side, side, 3)
	y := m.Forward(in)
	up := make([]float32, y.Numel())
	for i := range up {
		up[i] = float32(r.NormFloat64())
	}
	out := [][]float32{y.Float32s()}
	y.BackwardWith(autograd.FromFloat32s(dev, up, y.Shape()...))
	nn.SetTraining(m, false)
	out = append(out, m.Forward(in).Float32s())
	for _, p := range nn.Parameters(m) {
		if g := p.Tensor.Grad(); g != nil {
			out = append(out, g.Float32s())
		}
	}
	for _, b := range nn.Buffers(m) {
		if b.Tensor.DType() == autograd.Float32 {
			out = append(out, b.Tensor.Float32s())
			continue
		}
		for _, n := range b.Tensor.Int32s() { // num_batches_tracked
			out = append(out, []float32{float32(n)})
		}
	}
	return out
}
