package nn

import (
	"math/rand/v2"

	"github.com/gocnn/gocnn/autograd"
)

// Inits chooses how a model family initialises its layers. A nil field
// means PyTorchDefault.
type Inits struct {
	ConvWeight, ConvBias, LinearWeight, LinearBias Init
}

// Builder creates parameters on one device. Initial values come from a PCG
// generator seeded once, drawn in construction order, so one seed always
// gives the same model.
type Builder struct {
	dev   *autograd.Device
	rng   *rand.Rand // nil: leave parameters uninitialised
	inits Inits
}

// NewBuilder returns a Builder on dev whose draws are determined by seed.
func NewBuilder(dev *autograd.Device, seed uint64) *Builder {
	return &Builder{dev: dev, rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// NewShapeBuilder returns a Builder that allocates parameters without
// initialising them: for shape inference on a meta device, or for a model
// whose weights are about to be loaded from a checkpoint.
func NewShapeBuilder(dev *autograd.Device) *Builder { return &Builder{dev: dev} }

// Device returns the device parameters are created on.
func (b *Builder) Device() *autograd.Device { return b.dev }

// WithInits returns a Builder sharing b's device and generator that
// initialises layers with in.
func (b *Builder) WithInits(in Inits) *Builder {
	c := *b
	c.inits = in
	return &c
}

// Param returns a new parameter of the given shape filled by init (nil:
// PyTorchDefault), with gradients enabled.
func (b *Builder) Param(init Init, fanIn, fanOut int, shape ...int) *autograd.Tensor {
	if b.rng == nil {
		return autograd.Empty(b.dev, autograd.Float32, shape...).SetRequiresGrad(true)
	}
	if init == nil {
		init = PyTorchDefault
	}
	w := make([]float32, autograd.Shape(shape).Numel())
	init(b.rng, w, fanIn, fanOut)
	return autograd.FromFloat32s(b.dev, w, shape...).SetRequiresGrad(true)
}

// Const returns a new parameter with every element v (a batch-norm scale or
// shift), with gradients enabled. No random draw is made.
func (b *Builder) Const(v float32, shape ...int) *autograd.Tensor {
	return autograd.Full(b.dev, v, shape...).SetRequiresGrad(true)
}
