package optim

import (
	"fmt"
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// EMA keeps an exponential moving average of a model's weights, as
// torchvision's ExponentialMovingAverage (an AveragedModel with
// use_buffers=True): parameters and floating-point buffers (batch norm
// running statistics) are all averaged,
//
//	avg = Decay*avg + (1-Decay)*current,
//
// except that an update with nothing averaged yet copies current.
// torchvision's train.py updates every --model-ema-steps iterations and,
// during warmup epochs, calls Reset after each update so the average keeps
// copying the weights until warmup ends.
type EMA struct {
	decay float64
	src   []Param
	avg   []*autograd.Tensor // (same shape as src[i]) on src[i]'s device
	n     int
}

// NewEMA returns an average of tensors (parameters and Float32 buffers;
// leave integer counters such as num_batches_tracked out) that starts as a
// copy of them, with nothing averaged yet. It returns an error when decay
// is outside [0, 1] and panics on names that are empty or repeated or on a
// tensor that is not Float32.
func NewEMA(tensors []Param, decay float64) (*EMA, error) {
	if !(decay >= 0 && decay <= 1) {
		return nil, fmt.Errorf("optim: EMA decay %v is outside [0, 1]", decay)
	}
	checkGroups([]Group{{Params: tensors}})
	e := &EMA{decay: decay, src: tensors, avg: make([]*autograd.Tensor, len(tensors))}
	for i, p := range tensors {
		e.avg[i] = autograd.Empty(p.Tensor.Device(), autograd.Float32, p.Tensor.Shape()...).Keep()
		e.avg[i].CopyFrom(p.Tensor)
	}
	return e, nil
}

// EMADecay returns the decay torchvision's train.py derives from
// --model-ema-decay, so that the average spans the same number of images
// whatever the batch size, device count and update interval:
// 1 - min(1, (1-decay) * worldSize*batchSize*steps/epochs).
func EMADecay(decay float64, worldSize, batchSize, steps, epochs int) float64 {
	adjust := float64(worldSize*batchSize*steps) / float64(epochs)
	return 1 - math.Min(1, (1-decay)*adjust)
}

// Update folds the current values of the tensors into the average.
func (e *EMA) Update() {
	for i, p := range e.src {
		if e.n == 0 {
			e.avg[i].CopyFrom(p.Tensor)
			continue
		}
		p.Tensor.Device().Backend().Axpby(float32(1-e.decay), p.Tensor.Buffer(), float32(e.decay), e.avg[i].Buffer())
	}
	e.n++
}

// Reset forgets the updates so far: the next Update copies.
func (e *EMA) Reset() { e.n = 0 }

// NumAveraged returns the number of updates since creation or Reset.
func (e *EMA) NumAveraged() int { return e.n }

// Params returns the averaged tensors under the names they were given, to
// load into a model for evaluation. They are the EMA's own: do not modify.
func (e *EMA) Params() []Param {
	out := make([]Param, len(e.src))
	for i, p := range e.src {
		out[i] = Param{Name: p.Name, Tensor: e.avg[i]}
	}
	return out
}

// State returns the average for a checkpoint: kind "ema", the number
// "n_averaged", and a tensor per name.
func (e *EMA) State() State {
	st := State{Kind: "ema", Numbers: map[string]float64{"n_averaged": float64(e.n)}, Tensors: map[string]*autograd.Tensor{}}
	for i, p := range e.src {
		st.Tensors[p.Name] = e.avg[i]
	}
	return st
}

// LoadState restores a State; it returns an error, and changes nothing,
// unless st holds exactly this EMA's names with matching shapes.
func (e *EMA) LoadState(st State) error {
	n, ok := st.Numbers["n_averaged"]
	if st.Kind != "ema" || !ok || n < 0 || n != math.Trunc(n) || len(st.Numbers) != 1 {
		return fmt.Errorf("optim: not an EMA state (kind %q, numbers %v)", st.Kind, st.Numbers)
	}
	if len(st.Tensors) != len(e.src) {
		return fmt.Errorf("optim: EMA state has %d tensors, want %d", len(st.Tensors), len(e.src))
	}
	for _, p := range e.src {
		t := st.Tensors[p.Name]
		if t == nil || t.DType() != autograd.Float32 || !t.Shape().Equal(p.Tensor.Shape()) {
			return fmt.Errorf("optim: EMA state: tensor %q is %v, want float32 %v", p.Name, t, p.Tensor.Shape())
		}
	}
	fresh := make([]*autograd.Tensor, len(e.src))
	for i, p := range e.src {
		fresh[i] = autograd.FromFloat32s(p.Tensor.Device(), st.Tensors[p.Name].Float32s(), p.Tensor.Shape()...).Keep()
	}
	for i, old := range e.avg {
		old.Release()
		e.avg[i] = fresh[i]
	}
	e.n = int(n)
	return nil
}
