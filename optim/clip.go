package optim

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// GradNorm returns the Euclidean norm of all parameters' gradients taken
// together (nil gradients count as zero). Each device sums its squares
// with one kernel per tensor and is read once, so a model spread over
// several devices costs one synchronisation per device.
func GradNorm(params []Param) float64 {
	// Per device: the running sum and the slot each tensor's sum lands in.
	acc, tmp := map[*autograd.Device]*autograd.Tensor{}, map[*autograd.Device]*autograd.Tensor{}
	var devs []*autograd.Device
	for _, p := range params {
		g := p.Tensor.Grad()
		if g == nil {
			continue
		}
		dev := g.Device()
		if acc[dev] == nil {
			acc[dev], tmp[dev] = autograd.Zeros(dev, 1), autograd.Empty(dev, autograd.Float32, 1)
			devs = append(devs, dev)
		}
		dev.Backend().SumSquares(g.Buffer(), tmp[dev].Buffer())
		dev.Backend().Axpby(1, tmp[dev].Buffer(), 1, acc[dev].Buffer())
	}
	var sum float64
	for _, dev := range devs {
		sum += float64(acc[dev].Item())
		acc[dev].Release()
		tmp[dev].Release()
	}
	return math.Sqrt(sum)
}

// ClipGradNorm scales every gradient by maxNorm/(norm+1e-6) when that is
// below one, norm being GradNorm(params), as torch.nn.utils.clip_grad_norm_
// does, and returns norm. When norm is NaN or infinite the gradients are
// left alone (PyTorch would turn them all into NaN): the caller should
// check the result and skip the step.
func ClipGradNorm(params []Param, maxNorm float64) float64 {
	norm := GradNorm(params)
	coef := maxNorm / (norm + 1e-6)
	if !(coef < 1) || math.IsInf(norm, 0) {
		return norm
	}
	for _, p := range params {
		g := p.Tensor.Grad()
		if g == nil {
			continue
		}
		// Into a fresh tensor: backend kernels never write their inputs.
		scaled := autograd.Empty(g.Device(), autograd.Float32, g.Shape()...)
		g.Device().Backend().Axpby(float32(coef), g.Buffer(), 0, scaled.Buffer())
		p.Tensor.SetGrad(scaled)
		g.Release()
	}
	return norm
}
