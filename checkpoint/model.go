package checkpoint

import (
	"slices"
	"strings"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// Weights returns m's parameters and float buffers, torchvision names, as
// host copies in gocnn layout: the weights of a checkpoint. Integer
// buffers (num_batches_tracked) are left out; no computation reads them,
// and PyTorch fills them in.
func Weights(m nn.Module) []Tensor {
	var out []Tensor
	for _, p := range state(m) {
		out = append(out, Tensor{Name: p.Name, Shape: slices.Clone([]int(p.Tensor.Shape())), Data: p.Tensor.Float32s()})
	}
	return out
}

// SetWeights checks tensors, read from file, against m's parameters and
// float buffers (names and shapes, see MatchTensors) and copies them into
// m; nothing changes when they do not match. PyTorch's integer
// num_batches_tracked entries are ignored.
func SetWeights(m nn.Module, file string, tensors []Tensor) error {
	_, err := SetWeightsReshaping(m, file, tensors, nil)
	return err
}

// SetWeightsReshaping is SetWeights for a file written for a variant of
// m: a tensor that m holds under the same name with another shape is left
// out when replaceable(name) says so (the classifier of a model for
// another number of classes), m keeping its own values of it, and is
// returned. Any other difference is an error, as in SetWeights.
func SetWeightsReshaping(m nn.Module, file string, tensors []Tensor, replaceable func(name string) bool) ([]Reshaped, error) {
	params := state(m)
	want := make(map[string][]int, len(params))
	for _, p := range params {
		want[p.Name] = p.Tensor.Shape()
	}
	tensors = slices.DeleteFunc(slices.Clone(tensors), func(t Tensor) bool {
		return strings.HasSuffix(t.Name, ".num_batches_tracked")
	})
	tensors, want, reshaped := splitReshaped(tensors, want, replaceable)
	if err := MatchTensors(file, tensors, want); err != nil {
		return nil, err
	}
	byName := make(map[string]Tensor, len(tensors))
	for _, t := range tensors {
		byName[t.Name] = t
	}
	for _, p := range params {
		if t, ok := byName[p.Name]; ok {
			p.Tensor.SetFloat32s(t.Data)
		}
	}
	return reshaped, nil
}

// state returns m's parameters and float32 buffers.
func state(m nn.Module) []nn.Named {
	return slices.DeleteFunc(slices.Concat(nn.Parameters(m), nn.Buffers(m)), func(p nn.Named) bool {
		return p.Tensor.DType() != autograd.Float32
	})
}
