package nn

import (
	"strconv"

	"github.com/gocnn/gocnn/autograd"
)

// Sequential applies its layers in order. They are named "0", "1", ... as
// in PyTorch's nn.Sequential, or as given to AddNamed (an OrderedDict).
type Sequential struct {
	Base
	Layers []Module
}

// NewSequential returns a Sequential of layers.
func NewSequential(layers ...Module) *Sequential {
	s := &Sequential{}
	for _, l := range layers {
		s.Append(l)
	}
	return s
}

// Append adds m as the next layer, named by its position.
func (s *Sequential) Append(m Module) { s.AddNamed(strconv.Itoa(len(s.Layers)), m) }

// AddNamed adds m as the next layer, called name.
func (s *Sequential) AddNamed(name string, m Module) {
	s.Layers = append(s.Layers, Child(&s.Base, name, m))
}

// Forward applies every layer in turn.
func (s *Sequential) Forward(x *autograd.Tensor) *autograd.Tensor {
	for _, l := range s.Layers {
		x = l.Forward(x)
	}
	return s.Out(x)
}
