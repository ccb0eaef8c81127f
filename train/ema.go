package train

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/optim"
)

// emaPrefix marks the EMA's tensors and count among the optimizer state a
// checkpoint holds.
const emaPrefix = "ema."

// modelEMA is -model-ema: an exponential moving average of replica 0's
// parameters and batch-norm statistics, kept as torchvision's train.py
// keeps its ExponentialMovingAverage.
type modelEMA struct {
	avg     *optim.EMA
	every   int // -model-ema-steps
	warmups int // -lr-warmup-epochs: the average restarts after each update during them
}

// newModelEMA returns the run's EMA, nil without -model-ema: it starts
// from the replica's current weights (initial, -weights or resumed), or
// from the average the resumed checkpoint ck holds. The decay is
// -model-ema-decay adjusted as torchvision's train.py does (see
// optim.EMADecay).
func newModelEMA(cfg *Config, r *replica, ck *checkpoint.Checkpoint) (*modelEMA, error) {
	if !cfg.ModelEMA {
		return nil, nil
	}
	decay := optim.EMADecay(cfg.ModelEMADecay, cfg.ranks(), cfg.Batch, cfg.ModelEMASteps, cfg.Epochs)
	avg, err := optim.NewEMA(emaTensors(r), decay)
	if err != nil {
		return nil, err
	}
	if ck != nil {
		st := optim.State{Kind: "ema", Numbers: map[string]float64{}, Tensors: map[string]*autograd.Tensor{}}
		if n, ok := ck.OptimizerScalars[emaPrefix+"n_averaged"]; ok {
			st.Numbers["n_averaged"] = n
			for _, h := range ck.Optimizer {
				if name, ok := strings.CutPrefix(h.Name, emaPrefix); ok {
					st.Tensors[name] = autograd.FromFloat32s(r.dev, h.Data, h.Shape...)
				}
			}
			if err := avg.LoadState(st); err != nil {
				return nil, err
			}
		}
	}
	return &modelEMA{avg: avg, every: cfg.ModelEMASteps, warmups: cfg.LRWarmupEpochs}, nil
}

// emaTensors returns what the EMA averages: the replica's parameters and
// Float32 buffers (not batch norm's step counters).
func emaTensors(r *replica) []optim.Param {
	ps := optimParams(r.params)
	for _, b := range nn.Buffers(r.model) {
		if b.Tensor.DType() == autograd.Float32 {
			ps = append(ps, optim.Param{Name: b.Name, Tensor: b.Tensor})
		}
	}
	return ps
}

// afterStep updates the average after step s (from 1) of epoch (from 0)
// when torchvision's would: every -model-ema-steps batches from the
// epoch's first, restarting the average during the warmup epochs.
func (m *modelEMA) afterStep(epoch, s int) {
	if (s-1)%m.every != 0 {
		return
	}
	m.avg.Update()
	if epoch < m.warmups {
		m.avg.Reset()
	}
}

// save adds the average to a checkpoint's optimizer state.
func (m *modelEMA) save(ck *checkpoint.Checkpoint) {
	st := m.avg.State()
	ck.OptimizerScalars = maps.Clone(ck.OptimizerScalars)
	ck.OptimizerScalars[emaPrefix+"n_averaged"] = st.Numbers["n_averaged"]
	for name, tn := range st.Tensors {
		ck.Optimizer = append(ck.Optimizer, checkpoint.Tensor{Name: emaPrefix + name, Shape: slices.Clone([]int(tn.Shape())), Data: tn.Float32s()})
	}
}

// isEMAState reports whether a checkpoint's optimizer entry is the EMA's.
func isEMAState(name string) bool { return strings.HasPrefix(name, emaPrefix) }

// evaluateEMA evaluates the average into r: it puts the averaged weights
// into every replica, evaluates, and puts the trained weights back, bit
// for bit.
func (t *trainer) evaluateEMA(ctx context.Context, r *Record) error {
	avg := t.ema.avg.Params()
	saved := make([][][]float32, len(t.reps))
	for i, rep := range t.reps {
		for j, p := range emaTensors(rep) {
			saved[i] = append(saved[i], p.Tensor.Float32s())
			hostCopyInto(p.Tensor, avg[j].Tensor)
		}
	}
	defer func() {
		for i, rep := range t.reps {
			for j, p := range emaTensors(rep) {
				p.Tensor.Device().Backend().WriteFloat32(p.Tensor.Buffer(), saved[i][j])
			}
		}
	}()
	return t.evaluate(ctx, r)
}
