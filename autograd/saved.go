package autograd

// SavedBytes returns the bytes of the distinct buffers the graph recorded
// up to t holds for its backward pass: every recorded op's inputs, output
// and scratch tensors, leaves that want a gradient (parameters) left out.
// It is what a training step carries from its forward pass to its
// backward, the bulk of its memory beyond the parameters, their gradients
// and the optimizer's state. An op that does not read an input in its
// backward (an addition) still holds it: the figure is what the graph
// keeps alive, an upper bound on what the backward reads.
func (t *Tensor) SavedBytes() int64 {
	seen := map[*storage]bool{}
	var bytes int64
	add := func(x *Tensor) {
		if x.st == nil || seen[x.st] || (x.node == nil && x.requiresGrad) {
			return
		}
		seen[x.st] = true
		bytes += int64(x.st.buf.Len()) * int64(x.st.buf.DType().Size())
	}
	for _, out := range tape(t) {
		add(out)
		for _, in := range out.node.inputs {
			add(in)
		}
		for _, s := range out.node.scratch {
			add(s)
		}
	}
	return bytes
}
