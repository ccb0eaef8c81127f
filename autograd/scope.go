package autograd

// Scope owns the tensors made on one device while it is open, and releases
// them when it closes: a training step opens one, and every activation,
// gradient in flight and scratch tensor of its forward and backward passes
// returns to the device when the step ends, whether or not the garbage
// collector has run. A GPU's caching allocator then hands the same blocks to
// the next step.
//
// What outlives the scope:
//   - tensors made before it opened (parameters, buffers, optimizer state);
//   - the gradient of a leaf made before it opened: a gradient belongs to
//     its leaf's scope (see Tensor.SetGrad and Backward);
//   - tensors taken out with Keep.
//
// Scopes nest: a tensor belongs to the innermost open scope of its device.
// They must close in the reverse order they opened, on the goroutine
// driving the device.
type Scope struct {
	dev     *Device
	parent  *Scope
	tensors []*Tensor
	closed  bool
}

// Scope opens a scope on d; close it with Close, typically deferred:
//
//	defer dev.Scope().Close()
func (d *Device) Scope() *Scope {
	s := &Scope{dev: d, parent: d.scope}
	d.scope = s
	return s
}

// Close releases every tensor the scope still owns (dropping the graphs
// they were recorded in, so a Backward through them cannot read freed
// memory) and makes the enclosing scope current again. Closing twice does
// nothing; closing a scope while one opened after it is open panics.
func (s *Scope) Close() {
	if s.closed {
		return
	}
	if s.dev.scope != s {
		panic("autograd: Scope.Close out of order: a scope opened later is still open")
	}
	for _, t := range s.tensors {
		if t.scope != s {
			continue // kept, or adopted by a leaf of an outer scope
		}
		if t.node != nil {
			t.node.release()
			t.node = nil
			t.requiresGrad = false
		}
		t.scope = nil
		t.Release()
	}
	s.tensors = nil
	s.closed = true
	s.dev.scope = s.parent
}

// moveTo makes t belong to s (nil: to no scope).
func (t *Tensor) moveTo(s *Scope) {
	t.scope = s
	if s != nil {
		s.tensors = append(s.tensors, t)
	}
}

// Keep takes t out of the scope it was made in, so that no scope releases
// it: its holder releases it, or leaves it to the garbage collector. State
// made lazily during a step (an optimizer's buffers on their first update)
// is kept this way. Keep returns t.
func (t *Tensor) Keep() *Tensor {
	t.moveTo(nil)
	return t
}
