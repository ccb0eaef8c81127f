package models

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/gocnn/gocnn/nn"
)

// Options are the choices every constructor takes.
type Options struct {
	// Classes is the number of outputs (segmentation: per pixel); 0 means
	// 1000.
	Classes int
	// InChannels is the number of input channels; 0 means 3.
	InChannels int
	// AuxLogits adds the auxiliary classifiers: GoogLeNet's two, Inception
	// v3's one (see AuxClassifier).
	AuxLogits bool
	// ZeroInitResidual starts the last batch norm of every residual block
	// at zero, so each block begins as the identity (Goyal et al. 2017,
	// section 5.1; torchvision's zero_init_residual).
	ZeroInitResidual bool
}

func (o Options) classes() int    { return cmp.Or(o.Classes, 1000) }
func (o Options) inChannels() int { return cmp.Or(o.InChannels, 3) }

// Spec describes one registered model.
type Spec struct {
	Name        string
	Description string
	Paper       string
	Year        int
	// Input is the side of the input the model is usually run at.
	Input int
	New   func(b *nn.Builder, o Options) nn.Module
}

var registry []Spec

// register adds a model family's entries; each family file calls it from a
// package-level var.
func register(specs ...Spec) bool {
	registry = append(registry, specs...)
	return true
}

// natural holds the classes and input channels of the models defined with
// other than 1000 and 3, by name; see Spec.Defaults.
var natural = map[string]Options{}

// registerDefaults records o as the classes and input channels the named
// models are defined with; a family file calls it next to register.
func registerDefaults(o Options, names ...string) bool {
	for _, n := range names {
		natural[n] = o
	}
	return true
}

// Defaults returns the classes and input channels the model is defined
// with: 1000 and 3 (ImageNet), but 10 classes for the CIFAR networks and 2
// for U-Net, on 1 channel for the 2015 U-Net. The parameter counts of the
// model zoo's table are at these.
func (s Spec) Defaults() Options {
	o := natural[s.Name]
	return Options{Classes: o.classes(), InChannels: o.inChannels()}
}

// All returns every registered model, sorted by name.
func All() []Spec {
	all := slices.Clone(registry)
	slices.SortFunc(all, func(a, b Spec) int { return strings.Compare(a.Name, b.Name) })
	return all
}

// Lookup returns the model called name, or an error when there is none.
func Lookup(name string) (Spec, error) {
	for _, s := range registry {
		if s.Name == name {
			return s, nil
		}
	}
	return Spec{}, fmt.Errorf("models: unknown model %q (train -models lists them)", name)
}

// New builds the model called name with b.
func New(name string, b *nn.Builder, o Options) (nn.Module, error) {
	s, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return s.New(b, o), nil
}
