package nn

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
)

// Module is a layer or a network of layers. Implementations embed Base,
// which holds their parameters, buffers, children and mode.
type Module interface {
	// Forward applies the module to x.
	Forward(x *autograd.Tensor) *autograd.Tensor
	base() *Base
}

// Named is a tensor with its dotted torchvision name.
type Named struct {
	Name   string
	Tensor *autograd.Tensor
}

type child struct {
	name string
	m    Module
}

// Base is the state every module shares; embed it. Its zero value is a
// module in training mode with nothing registered.
type Base struct {
	params   []Named
	buffers  []Named
	children []child
	eval     bool
	out      autograd.Shape
}

func (b *Base) base() *Base { return b }

// Training reports whether the module is in training mode (the default).
func (b *Base) Training() bool { return !b.eval }

// Out records y's shape as the module's latest output for Summary and
// returns y; every Forward ends with it.
func (b *Base) Out(y *autograd.Tensor) *autograd.Tensor {
	b.out = y.Shape().Clone()
	return y
}

// AddParam registers t as a parameter called name and returns it.
func (b *Base) AddParam(name string, t *autograd.Tensor) *autograd.Tensor {
	b.params = append(b.params, Named{name, t})
	return t
}

// AddBuffer registers t as a non-trainable state tensor called name (saved
// in checkpoints, never updated by an optimizer) and returns it.
func (b *Base) AddBuffer(name string, t *autograd.Tensor) *autograd.Tensor {
	b.buffers = append(b.buffers, Named{name, t})
	return t
}

// Child registers m as the submodule called name of parent and returns it,
// so a constructor reads `blk.conv1 = nn.Child(&blk.Base, "conv1", ...)`.
// Registration order is the order of Parameters. It panics on a repeated
// name.
func Child[M Module](parent *Base, name string, m M) M {
	for _, c := range parent.children {
		if c.name == name {
			panic(fmt.Sprintf("nn: child %q registered twice", name))
		}
	}
	parent.children = append(parent.children, child{name, m})
	return m
}

// Walk calls visit for m and every module below it, parents first, in
// registration order; the root's name is "".
func Walk(m Module, visit func(name string, m Module)) {
	walk("", m, visit)
}

func walk(prefix string, m Module, visit func(string, Module)) {
	visit(prefix, m)
	for _, c := range m.base().children {
		walk(join(prefix, c.name), c.m, visit)
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// Parameters returns every parameter of m and its children with its full
// name, in registration order (torchvision's named_parameters order).
func Parameters(m Module) []Named { return collect(m, func(b *Base) []Named { return b.params }) }

// Buffers returns every buffer of m and its children with its full name,
// after modules that keep part of their state on the host (batch norm's
// counter) have written it into their buffers.
func Buffers(m Module) []Named {
	Walk(m, func(_ string, m Module) {
		if h, ok := m.(hostState); ok {
			h.writeBuffers()
		}
	})
	return collect(m, func(b *Base) []Named { return b.buffers })
}

// hostState is a module that keeps part of its buffers' state on the host
// and writes it into them only when they are read.
type hostState interface {
	writeBuffers()
}

func collect(m Module, own func(*Base) []Named) []Named {
	var all []Named
	Walk(m, func(prefix string, m Module) {
		for _, p := range own(m.base()) {
			all = append(all, Named{join(prefix, p.Name), p.Tensor})
		}
	})
	return all
}

// NumParams returns the number of learnable scalars in m.
func NumParams(m Module) int {
	n := 0
	for _, p := range Parameters(m) {
		n += p.Tensor.Numel()
	}
	return n
}

// SetTraining puts m and every module below it in training (true) or
// evaluation mode, like PyTorch's train() and eval().
func SetTraining(m Module, on bool) {
	Walk(m, func(_ string, m Module) { m.base().eval = !on })
}

// ZeroGrad drops the accumulated gradients of every parameter of m.
func ZeroGrad(m Module) {
	for _, p := range Parameters(m) {
		p.Tensor.ZeroGrad()
	}
}
