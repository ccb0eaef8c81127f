package models

import (
	"testing"

	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
)

// anchors are the exact learnable parameter counts of docs/anchors.md
// (1000 classes, 3 input channels unless the case says otherwise), then a
// few from elsewhere, each with its source.
var anchors = []struct {
	name   string
	o      Options
	params int
}{
	{"alexnet", Options{}, 61_100_840},
	{"alexnet2012", Options{}, 60_965_224},
	{"vgg16", Options{}, 138_357_544},
	{"googlenet", Options{}, 6_624_904},
	{"googlenet", Options{AuxLogits: true}, 13_004_888},
	{"resnet18", Options{}, 11_689_512},
	{"resnet34", Options{}, 21_797_672},
	{"resnet50", Options{}, 25_557_032},
	{"resnet101", Options{}, 44_549_160},
	{"resnet152", Options{}, 60_192_808},
	{"densenet121", Options{}, 7_978_856},
	{"resnext50_32x4d", Options{}, 25_028_904},
	{"xception", Options{}, 22_855_952},
	{"mobilenet_v1", Options{}, 4_231_976},
	{"mobilenet_v2", Options{}, 3_504_872},
	{"mobilenet_v3_large", Options{}, 5_483_032},
	{"mobilenet_v3_small", Options{}, 2_542_856},
	{"unet", Options{InChannels: 1, Classes: 2}, 31_030_658},
	{"unet_bn", Options{InChannels: 3, Classes: 2}, 31_037_698},
	{"unet_bn", Options{InChannels: 3, Classes: 21}, 31_038_933},
	{"resnet20", Options{Classes: 10}, 269_722},
	{"resnet56", Options{Classes: 10}, 853_018},
	{"resnet110", Options{Classes: 10}, 1_727_962},
	// Not in ANCHORS. The pre-activation variant moves batch norms: none
	// after the stem (-16 channels), the first norm of each stage's first
	// block sees its input (-16 and -32), a final one (+64): the same total.
	{"preresnet110", Options{Classes: 10}, 1_727_962 + 2*(-16-16-32+64)},
	// Not in ANCHORS: torchvision's model metadata.
	{"vgg11", Options{}, 132_863_336},
	{"vgg11_bn", Options{}, 132_868_840},
	{"vgg13", Options{}, 133_047_848},
	{"vgg13_bn", Options{}, 133_053_736},
	{"vgg16_bn", Options{}, 138_365_992},
	{"vgg19", Options{}, 143_667_240},
	{"vgg19_bn", Options{}, 143_678_248},
	{"densenet169", Options{}, 14_149_480},
	{"densenet201", Options{}, 20_013_928},
	{"resnext101_32x8d", Options{}, 88_791_336},
	// docs/anchors.md, from torchvision's model metadata.
	{"resnext101_64x4d", Options{}, 83_455_272},
	{"wide_resnet50_2", Options{}, 68_883_240},
	{"wide_resnet101_2", Options{}, 126_886_696},
	{"densenet161", Options{}, 28_681_000},
	// torchvision's inception_v3 has its auxiliary classifier by default
	// (aux_logits=True), and its metadata counts it.
	{"inception_v3", Options{AuxLogits: true}, 27_161_264},
	// Recomputed: less the auxiliary classifier's 1x1 BasicConv2d
	// (768*128 + 2*128), 5x5 one (128*768*25 + 2*768) and fc (768*1000 +
	// 1000), 3,326,696 in all.
	{"inception_v3", Options{}, 27_161_264 - 3_326_696},
}

func TestParamCountsMatchAnchors(t *testing.T) {
	for _, a := range anchors {
		m, err := New(a.name, nn.NewShapeBuilder(meta.NewDevice()), a.o)
		if err != nil {
			t.Errorf("%s: %v", a.name, err)
			continue
		}
		if got := nn.NumParams(m); got != a.params {
			t.Errorf("%s %+v: %d parameters, want %d (off by %d)", a.name, a.o, got, a.params, got-a.params)
		}
	}
}
