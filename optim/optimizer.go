package optim

import (
	"fmt"
	"math"
	"strings"

	"github.com/gocnn/gocnn/autograd"
)

// Optimizer updates parameters from their accumulated gradients.
type Optimizer interface {
	// Step updates every parameter that has a gradient; parameters whose
	// gradient is nil (unused in this step) are skipped, state included,
	// as in PyTorch.
	Step()
	// ZeroGrad drops every parameter's gradient.
	ZeroGrad()
	// LR returns the learning rate the next Step uses.
	LR() float64
	// SetLR sets the learning rate, e.g. from a Schedule.
	SetLR(lr float64)
	// State returns the optimizer's state for a checkpoint.
	State() State
	// LoadState restores a state returned by State, on an optimizer built
	// with the same kind and parameter names. It returns an error, and
	// changes nothing, when s does not fit.
	LoadState(s State) error
}

// State is an optimizer's checkpointable state: plain numbers, which
// marshal as JSON, and named tensors. Keys are "lr", "<param>.step" (the
// number of updates a parameter has had) and "<param>.<buffer>" with
// PyTorch's buffer names (momentum_buffer, exp_avg, exp_avg_sq,
// square_avg, grad_avg). The tensors returned by State are the optimizer's
// own: save them before the next Step.
type State struct {
	Kind    string                      `json:"kind"` // "sgd", "adamw" or "rmsprop"
	Numbers map[string]float64          `json:"numbers"`
	Tensors map[string]*autograd.Tensor `json:"-"`
}

// slot is one parameter with its group's weight decay and its state.
type slot struct {
	Param
	wd   float64
	step int
	bufs []*autograd.Tensor // one per bufNames entry; nil until first used
}

// base holds what every optimizer shares: its parameters, their state and
// the learning rate. update applies one fused kernel to s, whose step has
// already been incremented.
type base struct {
	kind     string
	bufNames []string
	slots    []*slot
	lr       float64
	update   func(s *slot)
}

func newBase(kind string, groups []Group, lr float64, bufNames ...string) base {
	checkGroups(groups)
	b := base{kind: kind, bufNames: bufNames, lr: lr}
	for _, g := range groups {
		for _, p := range g.Params {
			b.slots = append(b.slots, &slot{Param: p, wd: g.WeightDecay, bufs: make([]*autograd.Tensor, len(bufNames))})
		}
	}
	return b
}

// Step runs update on every parameter that has a gradient.
func (b *base) Step() {
	for _, s := range b.slots {
		if s.Tensor.Grad() == nil {
			continue
		}
		s.step++
		b.update(s)
	}
}

// ZeroGrad drops every parameter's gradient.
func (b *base) ZeroGrad() {
	for _, s := range b.slots {
		s.Tensor.ZeroGrad()
	}
}

// LR returns the learning rate.
func (b *base) LR() float64 { return b.lr }

// SetLR sets the learning rate.
func (b *base) SetLR(lr float64) { b.lr = lr }

// buf returns s's buffer i, allocating it on first use; fresh reports
// whether it was just allocated. zero fills a new buffer with zeros,
// otherwise its contents are unspecified. The buffer outlives any scope
// the first update runs in.
func (b *base) buf(s *slot, i int, zero bool) (t *autograd.Tensor, fresh bool) {
	if s.bufs[i] != nil {
		return s.bufs[i], false
	}
	dev, shape := s.Tensor.Device(), s.Tensor.Shape()
	if zero {
		s.bufs[i] = autograd.Zeros(dev, shape...).Keep()
	} else {
		s.bufs[i] = autograd.Empty(dev, autograd.Float32, shape...).Keep()
	}
	return s.bufs[i], true
}

// State returns the learning rate, step counts and buffers.
func (b *base) State() State {
	st := State{Kind: b.kind, Numbers: map[string]float64{"lr": b.lr}, Tensors: map[string]*autograd.Tensor{}}
	for _, s := range b.slots {
		if s.step > 0 {
			st.Numbers[s.Name+".step"] = float64(s.step)
		}
		for i, t := range s.bufs {
			if t != nil {
				st.Tensors[s.Name+"."+b.bufNames[i]] = t
			}
		}
	}
	return st
}

// LoadState checks all of st before replacing the current state with it.
func (b *base) LoadState(st State) error {
	if st.Kind != b.kind {
		return fmt.Errorf("optim: loading %q state into a %s optimizer", st.Kind, b.kind)
	}
	byName := map[string]*slot{}
	for _, s := range b.slots {
		byName[s.Name] = s
	}
	lr, ok := st.Numbers["lr"]
	if !ok || !(lr >= 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("optim: %s state has no valid lr", b.kind)
	}
	steps := map[*slot]int{}
	for key, v := range st.Numbers {
		if key == "lr" {
			continue
		}
		name, ok := strings.CutSuffix(key, ".step")
		s := byName[name]
		if !ok || s == nil {
			return fmt.Errorf("optim: %s state has unknown number %q", b.kind, key)
		}
		if v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
			return fmt.Errorf("optim: %s state: %s = %v is not a step count", b.kind, key, v)
		}
		steps[s] = int(v)
	}
	type load struct {
		s   *slot
		i   int
		src *autograd.Tensor
	}
	var loads []load
	for key, t := range st.Tensors {
		s, i := b.bufKey(byName, key)
		if s == nil {
			return fmt.Errorf("optim: %s state has unknown tensor %q", b.kind, key)
		}
		if t == nil || t.DType() != autograd.Float32 || !t.Shape().Equal(s.Tensor.Shape()) {
			return fmt.Errorf("optim: %s state: tensor %q is %v, want float32 %v", b.kind, key, t, s.Tensor.Shape())
		}
		loads = append(loads, load{s, i, t})
	}
	// Copies first, through the host so that st may come from any device
	// (or be this optimizer's own State); then the old buffers go.
	fresh := make([]*autograd.Tensor, len(loads))
	for j, l := range loads {
		fresh[j] = autograd.FromFloat32s(l.s.Tensor.Device(), l.src.Float32s(), l.s.Tensor.Shape()...).Keep()
	}
	b.lr = lr
	for _, s := range b.slots {
		s.step = steps[s]
		for i, t := range s.bufs {
			if t != nil {
				t.Release()
			}
			s.bufs[i] = nil
		}
	}
	for j, l := range loads {
		l.s.bufs[l.i] = fresh[j]
	}
	return nil
}

// bufKey resolves "<param>.<buffer>" to its slot and buffer index, or nil.
func (b *base) bufKey(byName map[string]*slot, key string) (*slot, int) {
	for i, bn := range b.bufNames {
		if name, ok := strings.CutSuffix(key, "."+bn); ok && byName[name] != nil {
			return byName[name], i
		}
	}
	return nil, 0
}

// hyper is a hyperparameter value and whether it is in range.
type hyper struct {
	name string
	v    float64
	ok   bool
}

// checkHyper returns an error naming the first hyperparameter out of range.
func checkHyper(kind string, hs ...hyper) error {
	for _, h := range hs {
		if !h.ok {
			return fmt.Errorf("optim: %s: invalid %s %v", kind, h.name, h.v)
		}
	}
	return nil
}
