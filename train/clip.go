package train

import (
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/optim"
)

// clipGradients scales every replica's gradients so that their global norm
// is at most maxNorm (-clip-grad-norm), as torchvision's train.py does
// after the all-reduce and before the optimizer step; maxNorm 0 leaves them
// alone. The replicas hold the same averaged gradients, so they all scale
// them alike.
func clipGradients(reps []*replica, maxNorm float64) error {
	if maxNorm == 0 {
		return nil
	}
	return onEach(reps, func(_ int, r *replica) error {
		optim.ClipGradNorm(optimParams(r.params), maxNorm)
		return nil
	})
}

// optimParams returns a model's named parameters as the optimizers take
// them.
func optimParams(params []nn.Named) []optim.Param {
	ps := make([]optim.Param, len(params))
	for i, p := range params {
		ps[i] = optim.Param{Name: p.Name, Tensor: p.Tensor}
	}
	return ps
}
