package autograd

import (
	"cmp"
	"fmt"
	"slices"
	"sync/atomic"
)

// node records one op application on the tape: the inputs it read and the
// closure that maps the gradient of its output to gradients of its inputs.
type node struct {
	seq      uint64 // order of recording; inputs always precede outputs
	op       string
	inputs   []*Tensor
	backward func(dy *Tensor) []*Tensor
	scratch  []*Tensor // tensors only the backward reads, freed with the node
}

// tapeClock orders nodes across every device, so one backward pass can walk
// a graph that spans several devices.
var tapeClock atomic.Uint64

// record makes out the result of op applied to inputs. When out's device is
// recording and any input needs a gradient, out gets a node whose backward
// returns one gradient per input (nil where an input needs none). backward
// must return tensors it allocated or dy itself; the engine owns them.
// scratch lists tensors that only backward uses; they are released with the
// graph. record returns out.
func record(op string, out *Tensor, inputs []*Tensor, backward func(dy *Tensor) []*Tensor, scratch ...*Tensor) *Tensor {
	if !out.dev.Recording() || !slices.ContainsFunc(inputs, (*Tensor).RequiresGrad) {
		for _, s := range scratch {
			s.Release()
		}
		return out
	}
	out.requiresGrad = true
	out.node = &node{seq: tapeClock.Add(1), op: op, inputs: inputs, backward: backward, scratch: scratch}
	return out
}

// Backward computes the gradient of the one-element tensor t with respect to
// every leaf that requires a gradient and adds it to that leaf's Grad. The
// recorded graph is released afterwards; calling Backward again on the same
// graph panics.
func (t *Tensor) Backward() {
	if t.Numel() != 1 {
		panic(fmt.Sprintf("autograd: Backward of a tensor of shape %v; use BackwardWith", t.shape))
	}
	t.mustRequireGrad() // before the seed is allocated
	t.BackwardWith(Full(t.dev, 1, t.shape...))
}

// BackwardWith runs the backward pass from t seeded with grad (t's shape),
// which the pass takes ownership of.
func (t *Tensor) BackwardWith(grad *Tensor) {
	if !grad.shape.Equal(t.shape) {
		panic(fmt.Sprintf("autograd: BackwardWith gradient %v for tensor %v", grad.shape, t.shape))
	}
	t.mustRequireGrad()
	if t.node == nil {
		accumulate(t, grad)
		if t.gradReady != nil {
			t.gradReady(t)
		}
		return
	}
	order := tape(t)
	due := readyAt(order)
	p := pass{grads: map[*Tensor]*Tensor{t: grad}, reached: map[*Tensor]bool{}}
	for k, out := range order {
		p.step(out)
		for _, leaf := range due[k] {
			if p.reached[leaf] {
				leaf.gradReady(leaf)
			}
		}
	}
	for _, out := range order {
		out.node.release()
		out.node = nil
		out.requiresGrad = false
	}
}

// pass is the state of one backward pass: the gradients summed so far for
// recorded tensors not yet visited, and the leaves with a gradient-ready
// hook that received a contribution.
type pass struct {
	grads   map[*Tensor]*Tensor
	reached map[*Tensor]bool
}

// step runs out's backward with the gradient summed for it, handing each
// input its part.
func (p *pass) step(out *Tensor) {
	g := p.grads[out]
	delete(p.grads, out)
	if g == nil {
		return // no path from the pass's root through out
	}
	n := out.node
	gs := n.backward(g)
	if len(gs) != len(n.inputs) {
		panic(fmt.Sprintf("autograd: %s backward returned %d gradients for %d inputs", n.op, len(gs), len(n.inputs)))
	}
	gGiven := false
	for i, gi := range gs {
		in := n.inputs[i]
		if gi == nil || !in.requiresGrad {
			if gi != nil && gi != g {
				gi.Release()
			}
			continue
		}
		checkGradShape(n.op, in, gi)
		// The same tensor may be handed to several inputs (add passes dy
		// through): the first taker owns it, the others get copies.
		if gi == g {
			if gGiven {
				gi = clone(g)
			}
			gGiven = true
		} else if slices.Contains(gs[:i], gi) {
			gi = clone(gi)
		}
		if in.node == nil {
			accumulate(in, gi)
			if in.gradReady != nil {
				p.reached[in] = true
			}
		} else if acc := p.grads[in]; acc != nil {
			in.dev.backend.Axpby(1, gi.buf, 1, acc.buf)
			gi.Release()
		} else {
			p.grads[in] = gi
		}
	}
	if !gGiven {
		g.Release()
	}
}

// readyAt returns, for each position of order (latest first), the leaves
// with a gradient-ready hook that no node after it reads: their gradient
// is complete once that node's backward has run.
func readyAt(order []*Tensor) [][]*Tensor {
	last := map[*Tensor]int{}
	for k, out := range order {
		for _, in := range out.node.inputs {
			if in.node == nil && in.gradReady != nil {
				last[in] = k
			}
		}
	}
	due := make([][]*Tensor, len(order))
	for k, out := range order { // in input order, so that hooks run in a fixed order
		for _, in := range out.node.inputs {
			if last[in] == k && in.node == nil && in.gradReady != nil && !slices.Contains(due[k], in) {
				due[k] = append(due[k], in)
			}
		}
	}
	return due
}

// OnGradReady sets f to run in every backward pass that reaches the leaf
// t, once t's gradient for that pass is complete: after its last
// contribution has been added, before the pass goes on to the ops recorded
// earlier. It is PyTorch's post-accumulate-grad hook: data parallel
// training starts averaging a bucket of gradients across devices from it
// while the rest of the backward pass runs. f runs on the goroutine that
// called Backward, when the kernels that compute the gradient have been
// queued (they may still be running on the device). A nil f removes the
// hook. It panics on a tensor produced by a recorded op.
func (t *Tensor) OnGradReady(f func(leaf *Tensor)) {
	if t.node != nil {
		panic("autograd: OnGradReady on a non-leaf tensor")
	}
	t.gradReady = f
}

func (t *Tensor) mustRequireGrad() {
	if !t.requiresGrad {
		panic("autograd: Backward of a tensor that does not require grad (was its graph released, or recorded under NoGrad?)")
	}
}

// tape returns the recorded tensors reachable from t, latest first.
func tape(t *Tensor) []*Tensor {
	seen := map[*Tensor]bool{}
	var order []*Tensor
	stack := []*Tensor{t}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x.node == nil || seen[x] {
			continue
		}
		seen[x] = true
		order = append(order, x)
		stack = append(stack, x.node.inputs...)
	}
	slices.SortFunc(order, func(a, b *Tensor) int { return cmp.Compare(b.node.seq, a.node.seq) })
	return order
}

func (n *node) release() {
	for _, s := range n.scratch {
		s.Release()
	}
	n.inputs, n.backward, n.scratch = nil, nil, nil
}

// accumulate adds g into leaf's gradient, taking ownership of g; a new
// gradient joins the leaf's scope.
func accumulate(leaf, g *Tensor) {
	if leaf.grad == nil {
		leaf.SetGrad(g)
		return
	}
	leaf.dev.backend.Axpby(1, g.buf, 1, leaf.grad.buf)
	g.Release()
}

func checkGradShape(op string, in, g *Tensor) {
	if !g.shape.Equal(in.shape) || g.dev != in.dev {
		panic(fmt.Sprintf("autograd: %s backward gave gradient %v on %s for input %v on %s", op, g.shape, g.dev.Name(), in.shape, in.dev.Name()))
	}
}

// clone returns a copy of t's data with no autograd history.
func clone(t *Tensor) *Tensor {
	c := Empty(t.dev, t.DType(), t.shape...)
	t.dev.backend.Copy(c.buf, t.buf)
	return c
}
