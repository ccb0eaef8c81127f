//go:build cuda

package train

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cuda"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// gpuReplicas returns n replicas of ResNet-50 with gradients of ones, each
// on its own backend of GPU 0: the logical devices of -gpus 0,0,...
func gpuReplicas(b *testing.B, n int) []*replica {
	reps := make([]*replica, n)
	for i := range reps {
		be, err := cuda.New(0, cuda.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { be.Close() })
		dev := autograd.NewDevice(be)
		m, err := models.New("resnet50", nn.NewShapeBuilder(dev), models.Options{})
		if err != nil {
			b.Fatal(err)
		}
		r := &replica{dev: dev, model: m, params: nn.Parameters(m)}
		for _, p := range r.params {
			p.Tensor.SetGrad(autograd.Full(dev, 1, p.Tensor.Shape()...))
		}
		reps[i] = r
	}
	return reps
}

// BenchmarkAllReduceResNet50 times one step's gradient all-reduce of
// ResNet-50 (25.6M floats): host-staged over two logical devices of one
// GPU (-gpus 0,0), and NCCL with a single rank (the path -gpus 0,1 and
// -world-size take, without its inter-GPU traffic).
func BenchmarkAllReduceResNet50(b *testing.B) {
	b.Run("host-staged/gpus=0,0", func(b *testing.B) {
		reps := gpuReplicas(b, 2)
		for b.Loop() {
			allReduce(reps)
		}
	})
	b.Run("nccl/ranks=1", func(b *testing.B) {
		rep := gpuReplicas(b, 1)[0]
		id, err := cuda.NCCLUniqueID()
		if err != nil {
			b.Fatal(err)
		}
		comm, err := cuda.NewComm(rep.dev.Backend().(*cuda.Backend), id, 1, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer comm.Close()
		r := newNCCLReducer(comm, rep.params)
		for b.Loop() {
			if err := r.finish(); err != nil {
				b.Fatal(err)
			}
			rep.dev.Backend().(*cuda.Backend).Synchronize()
		}
	})
}
