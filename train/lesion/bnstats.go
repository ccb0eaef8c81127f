package lesion

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// Errors are a network's test errors with the batch-norm running
// statistics it was trained with and, when measured, after re-estimating
// them on training images for the network as it runs (Reestimate).
type Errors struct {
	Error float64
	// Reestimated is NaN when not measured.
	Reestimated float64
}

// measure evaluates m on test, and again after re-estimating its batch-norm
// statistics on bn when bn is not nil; m's statistics are its own again
// when it returns. Separating the two tells "the network needs the block"
// from "the statistics no longer fit its input".
func measure(m nn.Module, dev *autograd.Device, test, bn *Set) Errors {
	e := Errors{Error: Evaluate(m, dev, test), Reestimated: math.NaN()}
	if bn != nil {
		restore := Reestimate(m, dev, bn)
		e.Reestimated = Evaluate(m, dev, test)
		restore()
	}
	return e
}

// Reestimate replaces the running mean and variance of every batch norm of
// m with their cumulative average over the batches of s: after batch t the
// running statistics are (1-1/t) times the previous ones plus 1/t times the
// batch's mean and unbiased variance, PyTorch's momentum=None (as
// torch.optim.swa_utils.update_bn). The first batch overwrites the trained
// statistics. m runs in evaluation mode but for its batch norms, which
// normalise with each batch's statistics as in training; no gradient is
// computed and no weight changes. It leaves m in evaluation mode and
// returns a function that puts back the statistics and momenta m had; the
// batch norms' host-side batch counters (num_batches_tracked) keep the
// batches counted, which no computation reads.
func Reestimate(m nn.Module, dev *autograd.Device, s *Set) (restore func()) {
	type saved struct {
		bn             *nn.BatchNorm2D
		mean, variance []float32
		momentum       float32
	}
	var bns []saved
	nn.Walk(m, func(_ string, x nn.Module) {
		if bn, ok := x.(*nn.BatchNorm2D); ok {
			bns = append(bns, saved{bn, bn.RunningMean.Float32s(), bn.RunningVar.Float32s(), bn.Momentum})
		}
	})
	nn.SetTraining(m, false)
	for _, b := range bns {
		nn.SetTraining(b.bn, true)
	}
	defer dev.NoGrad()()
	for i := range s.Batches() {
		for _, b := range bns {
			b.bn.Momentum = 1 / float32(i+1)
		}
		func() {
			defer dev.Scope().Close()
			x, _ := s.batch(dev, i)
			m.Forward(x)
		}()
	}
	nn.SetTraining(m, false)
	return func() {
		for _, b := range bns {
			b.bn.RunningMean.SetFloat32s(b.mean)
			b.bn.RunningVar.SetFloat32s(b.variance)
			b.bn.Momentum = b.momentum
		}
	}
}
