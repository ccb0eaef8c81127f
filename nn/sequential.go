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

// Forward applies every layer in turn. A BatchNorm2D followed by a ReLU
// Activation runs as one BatchNorm2D.ForwardReLU, and a Conv2D followed by
// one as Conv2D.ForwardReLU: the same result, the layers as they are
// (names, parameters, output shapes).
func (s *Sequential) Forward(x *autograd.Tensor) *autograd.Tensor {
	for i := 0; i < len(s.Layers); i++ {
		if relu := s.reluAfter(i); relu != nil {
			switch l := s.Layers[i].(type) {
			case *BatchNorm2D:
				if FuseNormReLU {
					x = relu.Out(l.ForwardReLU(x, nil))
					i++
					continue
				}
			case *Conv2D:
				if FuseConvReLU && l.Bias != nil {
					x = relu.Out(l.ForwardReLU(x))
					i++
					continue
				}
			}
		}
		x = s.Layers[i].Forward(x)
	}
	return s.Out(x)
}

// reluAfter returns layer i+1 when it is a ReLU Activation, nil otherwise.
func (s *Sequential) reluAfter(i int) *Activation {
	if i+1 == len(s.Layers) {
		return nil
	}
	if a, ok := s.Layers[i+1].(*Activation); ok && a.Kind == autograd.ActReLU {
		return a
	}
	return nil
}
