package cpu_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// tinyCNN is conv-BN-ReLU-maxpool-conv-ReLU-GAP-linear: enough of every op
// family to show that forward, backward and the parameter updates compose.
type tinyCNN struct {
	conv1, gamma, beta, runMean, runVar, conv2, fc, fcBias *autograd.Tensor
}

func newTinyCNN(dev *autograd.Device, rng *rand.Rand, classes int) *tinyCNN {
	param := func(scale float32, shape ...int) *autograd.Tensor {
		data := make([]float32, autograd.Shape(shape).Numel())
		for i := range data {
			data[i] = scale * float32(rng.NormFloat64())
		}
		return autograd.FromFloat32s(dev, data, shape...).SetRequiresGrad(true)
	}
	return &tinyCNN{
		conv1:   param(0.3, 8, 3, 3, 3),
		gamma:   autograd.Full(dev, 1, 8).SetRequiresGrad(true),
		beta:    autograd.Zeros(dev, 8).SetRequiresGrad(true),
		runMean: autograd.Zeros(dev, 8),
		runVar:  autograd.Full(dev, 1, 8),
		conv2:   param(0.2, 16, 3, 3, 8),
		fc:      param(0.2, classes, 16),
		fcBias:  autograd.Zeros(dev, classes).SetRequiresGrad(true),
	}
}

func (m *tinyCNN) params() []*autograd.Tensor {
	return []*autograd.Tensor{m.conv1, m.gamma, m.beta, m.conv2, m.fc, m.fcBias}
}

func (m *tinyCNN) forward(x *autograd.Tensor) *autograd.Tensor {
	pad1 := autograd.Conv2DOptions{Padding: [2]int{1, 1}}
	y := autograd.Conv2D(x, m.conv1, pad1)
	y = autograd.BatchNorm(y, m.gamma, m.beta, m.runMean, m.runVar, autograd.BatchNormOptions{Training: true})
	y = autograd.ReLU(y)
	y = autograd.MaxPool2D(y, autograd.PoolOptions{Kernel: [2]int{2, 2}})
	y = autograd.ReLU(autograd.Conv2D(y, m.conv2, pad1))
	return autograd.Linear(autograd.GlobalAvgPool(y), m.fc, m.fcBias)
}

// TestTinyCNNMemorisesABatch trains on one fixed batch of random images with
// random labels: a working forward/backward/update drives the loss near zero.
func TestTinyCNNMemorisesABatch(t *testing.T) {
	const n, classes, steps, lr = 16, 4, 300, 0.1
	dev := autograd.NewDevice(cpu.New(0))
	rng := rand.New(rand.NewPCG(1, 2))
	pixels := make([]float32, n*12*12*3)
	for i := range pixels {
		pixels[i] = float32(rng.NormFloat64())
	}
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = int32(rng.IntN(classes))
	}
	x := autograd.FromFloat32s(dev, pixels, n, 12, 12, 3)
	y := autograd.FromInt32s(dev, labels, n)
	m := newTinyCNN(dev, rng, classes)
	var first, last float32
	for step := range steps {
		loss := autograd.SoftmaxCrossEntropy(m.forward(x), y, autograd.CrossEntropyOptions{})
		last = loss.Item()
		if step == 0 {
			first = last
		}
		loss.Backward()
		for _, p := range m.params() {
			dev.Backend().Axpby(-lr, p.Grad().Buffer(), 1, p.Buffer())
			p.ZeroGrad()
		}
	}
	t.Logf("loss %.4f -> %.4f after %d steps", first, last, steps)
	if first < 1 || last > 0.05 {
		t.Fatalf("loss went from %.4f to %.4f; want a start near ln(%d) and an end below 0.05", first, last, classes)
	}
}
