package models

import "github.com/gocnn/gocnn/nn"

// vggConfigs are the columns of Simonyan & Zisserman 2015, Table 1: output
// channels of each 3x3 convolution, 0 for a 2x2 max pool.
var vggConfigs = map[string][]int{
	"vgg11": {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0},
	"vgg13": {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0},
	"vgg16": {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0},
	"vgg19": {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0},
}

var _ = register(
	vggSpec("vgg11", "A", false), vggSpec("vgg13", "B", false), vggSpec("vgg16", "D", false), vggSpec("vgg19", "E", false),
	vggSpec("vgg11", "A", true), vggSpec("vgg13", "B", true), vggSpec("vgg16", "D", true), vggSpec("vgg19", "E", true),
)

func vggSpec(name, column string, batchNorm bool) Spec {
	s := Spec{Name: name, Description: "VGG configuration " + column, Paper: "Simonyan & Zisserman, Very Deep Convolutional Networks", Year: 2015, Input: 224}
	if batchNorm {
		s.Name += "_bn"
		s.Description += " with batch norm"
	}
	s.New = func(b *nn.Builder, o Options) nn.Module { return VGG(b, o, vggConfigs[name], batchNorm) }
	return s
}

// VGG returns the VGG network whose convolutions cfg lists (see vggConfigs),
// with batch norm after each convolution when batchNorm is set.
func VGG(b *nn.Builder, o Options, cfg []int, batchNorm bool) *Features {
	// torchvision vgg.py: Kaiming normal (fan-out) convolutions with zero
	// bias, N(0, 0.01^2) linear weights with zero bias.
	b = b.WithInits(nn.Inits{ConvWeight: nn.KaimingNormalFanOut, ConvBias: nn.Zeros, LinearWeight: nn.Normal(0.01), LinearBias: nn.Zeros})
	features := &nn.Sequential{}
	in := o.inChannels()
	for _, c := range cfg {
		if c == 0 {
			features.Append(nn.NewMaxPool2D(2, 2, 0, false))
			continue
		}
		features.Append(conv(b, in, c, 3, 1, 1, 1))
		if batchNorm {
			features.Append(b.BatchNorm2D(c))
		}
		features.Append(nn.NewReLU())
		in = c
	}
	classifier := nn.NewSequential(
		b.Linear(512*7*7, 4096), nn.NewReLU(), nn.NewDropout(0.5),
		b.Linear(4096, 4096), nn.NewReLU(), nn.NewDropout(0.5),
		b.Linear(4096, o.classes()),
	)
	return newFeatures(features, 7, classifier)
}
