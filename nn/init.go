package nn

import (
	"math"
	"math/rand/v2"

	"github.com/gocnn/gocnn/autograd"
)

// Init fills a new weight w in place. fanIn and fanOut follow PyTorch:
// in-channels-per-group (or in-features) times the kernel area, and
// out-channels (or out-features) times the kernel area.
type Init func(r *rand.Rand, w []float32, fanIn, fanOut int)

// PyTorchDefault draws from U(-1/sqrt(fanIn), 1/sqrt(fanIn)): what
// nn.Conv2d and nn.Linear use for weights (kaiming_uniform_ with a=sqrt(5))
// and biases when a model sets nothing else.
func PyTorchDefault(r *rand.Rand, w []float32, fanIn, _ int) {
	bound := 1 / math.Sqrt(float64(max(fanIn, 1)))
	for i := range w {
		w[i] = float32((2*r.Float64() - 1) * bound)
	}
}

// KaimingNormalFanOut draws from N(0, 2/fanOut): He et al. 2015, "Delving
// deep into rectifiers", eq. 10 in its backward form, as torchvision's
// ResNet, VGG and MobileNet initialise convolutions.
func KaimingNormalFanOut(r *rand.Rand, w []float32, _, fanOut int) {
	normal(r, w, math.Sqrt(2/float64(fanOut)))
}

// KaimingNormalFanIn draws from N(0, 2/fanIn): He et al. 2015, eq. 10, as
// torchvision's DenseNet initialises convolutions.
func KaimingNormalFanIn(r *rand.Rand, w []float32, fanIn, _ int) {
	normal(r, w, math.Sqrt(2/float64(fanIn)))
}

// Normal returns an Init drawing from N(0, std^2).
func Normal(std float64) Init {
	return func(r *rand.Rand, w []float32, _, _ int) { normal(r, w, std) }
}

// Const returns an Init setting every element to v.
func Const(v float32) Init {
	return func(_ *rand.Rand, w []float32, _, _ int) {
		for i := range w {
			w[i] = v
		}
	}
}

// Zeros sets every element to 0.
var Zeros = Const(0)

func normal(r *rand.Rand, w []float32, std float64) {
	for i := range w {
		w[i] = float32(r.NormFloat64() * std)
	}
}

// Fill sets every element of t to v outside autograd: for initialisation
// that overrides a layer's default after construction (zero-init residual
// batch norms, AlexNet's unit biases).
func Fill(t *autograd.Tensor, v float32) { t.Device().Backend().Fill(t.Buffer(), v) }
