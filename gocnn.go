// Package gocnn is the entry point for Go programs that use a model
// trained by the train command: Load a checkpoint, then Predict on a
// batch of images held in a gorgonia.org/tensor Dense, (N, H, W, C)
// float32, to get class probabilities or a segmentation map.
//
//	model, err := gocnn.Load("runs/resnet20")
//	probs, err := model.Predict(images) // (N, classes)
//
// Loading needs only the checkpoint package, not the training loop, its
// datasets or its plots. Training, checkpoints, the models, the layers and
// the CPU backend live in the train, checkpoint, nn/models, nn and cpu
// packages.
package gocnn

import (
	"fmt"
	"math"
	"sync"

	"gorgonia.org/tensor"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/internal/argmax"
	"github.com/gocnn/gocnn/nn"
)

// Model is a trained network ready for inference on the CPU. It is safe
// for concurrent use; calls run one at a time.
type Model struct {
	mu     sync.Mutex
	dev    *autograd.Device
	module nn.Module
	info   checkpoint.ModelInfo
}

// Load reads a checkpoint written by the train package or command: an
// output folder (its latest epoch), or a checkpoint .json such as best.json
// in it.
func Load(path string) (*Model, error) {
	dev := autograd.NewDevice(cpu.New(0))
	m, info, err := checkpoint.LoadModel(path, dev)
	if err != nil {
		return nil, err
	}
	return &Model{dev: dev, module: m, info: info}, nil
}

// Info describes the model: its name, classes, input channels and
// normalisation.
func (m *Model) Info() checkpoint.ModelInfo { return m.info }

// Predict runs the model on images, (N, H, W, C) float32 pixel values in
// [0, 1] (8-bit values divided by 255), which it normalises as training
// did. A classifier returns (N, classes) float32 softmax probabilities; a
// segmentation model returns (N, H, W) int32, each pixel's most likely
// class. An input of the wrong type, rank or channel count, an empty one,
// or a size the model cannot take, is an error.
func (m *Model) Predict(images *tensor.Dense) (out *tensor.Dense, err error) {
	shape := images.Shape()
	if images.Dtype() != tensor.Float32 || len(shape) != 4 {
		return nil, fmt.Errorf("gocnn: Predict wants (N, H, W, C) float32 images, got %v %v", images.Dtype(), shape)
	}
	if shape.TotalSize() == 0 { // gorgonia's Data panics on an empty Dense
		return nil, fmt.Errorf("gocnn: Predict on an empty batch %v", shape)
	}
	px := images.Data().([]float32)
	c := shape[3]
	if c != m.info.InChannels {
		return nil, fmt.Errorf("gocnn: %s takes %d-channel images, got %d", m.info.Model, m.info.InChannels, c)
	}
	x := make([]float32, len(px))
	for i, v := range px {
		x[i] = (v - m.info.Mean[i%c]) / m.info.Std[i%c]
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	defer func() {
		// The models panic on sizes they cannot take (U-Net's sides must
		// divide by 16): for a caller that is bad input.
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("gocnn: %s on %v images: %v", m.info.Model, shape, p)
		}
	}()
	defer m.dev.NoGrad()()
	logits := m.module.Forward(autograd.FromFloat32s(m.dev, x, shape...))
	ls := logits.Shape()
	k := ls[len(ls)-1]
	scores := logits.Float32s()
	if m.info.Segmentation {
		return tensor.New(tensor.WithShape(ls[:len(ls)-1]...), tensor.WithBacking(argmax.Rows(scores, k))), nil
	}
	softmax(scores, k)
	return tensor.New(tensor.WithShape(ls...), tensor.WithBacking(scores)), nil
}

// softmax replaces each row of k logits by its probabilities.
func softmax(xs []float32, k int) {
	for i := 0; i < len(xs); i += k {
		row := xs[i : i+k]
		hi := row[0]
		for _, v := range row {
			hi = max(hi, v)
		}
		var sum float64
		for j, v := range row {
			e := math.Exp(float64(v - hi))
			row[j] = float32(e)
			sum += e
		}
		for j := range row {
			row[j] = float32(float64(row[j]) / sum)
		}
	}
}
