package models

import (
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
)

// TestTorchvisionNames spot-checks parameter and buffer names against
// torchvision's state dicts, auxiliary classifiers included.
func TestTorchvisionNames(t *testing.T) {
	for name, want := range map[string][]string{
		"resnet50":           {"conv1.weight", "bn1.bias", "layer1.0.downsample.0.weight", "layer4.2.bn3.weight", "fc.weight", "bn1.running_var", "layer2.0.downsample.1.num_batches_tracked"},
		"resnet20":           {"conv1.weight", "layer3.2.conv2.weight", "linear.bias"},
		"vgg16_bn":           {"features.0.weight", "features.1.running_mean", "classifier.0.weight", "classifier.3.weight", "classifier.6.bias"},
		"alexnet":            {"features.0.weight", "features.10.bias", "classifier.1.weight", "classifier.4.weight", "classifier.6.weight"},
		"densenet121":        {"features.conv0.weight", "features.denseblock1.denselayer1.norm1.weight", "features.transition3.conv.weight", "features.norm5.bias", "classifier.weight"},
		"googlenet":          {"conv1.conv.weight", "conv3.bn.running_mean", "inception3a.branch2.1.conv.weight", "inception5b.branch4.1.bn.bias", "aux1.conv.conv.weight", "aux2.fc2.bias", "fc.weight"},
		"inception_v3":       {"Conv2d_1a_3x3.conv.weight", "Conv2d_4a_3x3.bn.running_var", "Mixed_5b.branch5x5_2.conv.weight", "Mixed_6a.branch3x3dbl_3.bn.weight", "Mixed_6e.branch7x7dbl_5.conv.weight", "Mixed_7a.branch7x7x3_4.bn.bias", "Mixed_7c.branch3x3dbl_3b.conv.weight", "Mixed_7c.branch_pool.bn.num_batches_tracked", "AuxLogits.conv0.conv.weight", "AuxLogits.conv1.bn.running_mean", "AuxLogits.fc.weight", "fc.bias"},
		"wide_resnet50_2":    {"layer1.0.conv2.weight", "layer4.2.bn3.running_mean", "fc.weight"},
		"densenet161":        {"features.denseblock3.denselayer36.conv2.weight", "features.transition3.norm.weight", "classifier.bias"},
		"mobilenet_v2":       {"features.0.0.weight", "features.1.conv.0.0.weight", "features.1.conv.1.weight", "features.2.conv.3.bias", "features.18.1.weight", "classifier.1.weight"},
		"mobilenet_v3_large": {"features.4.block.2.fc1.weight", "features.4.block.3.0.weight", "features.16.0.weight", "classifier.0.weight", "classifier.3.bias"},
		"xception":           {"conv1.weight", "block1.skip.weight", "block1.rep.0.conv1.weight", "block2.rep.1.pointwise.weight", "conv4.conv1.weight", "fc.bias"},
		"unet_bn":            {"inc.double_conv.0.weight", "down1.maxpool_conv.1.double_conv.4.running_var", "up1.up.weight", "up4.conv.double_conv.3.weight", "outc.conv.bias"},
	} {
		m, err := New(name, nn.NewShapeBuilder(meta.NewDevice()), Options{AuxLogits: true})
		if err != nil {
			t.Fatal(err)
		}
		var have []string
		for _, p := range append(nn.Parameters(m), nn.Buffers(m)...) {
			have = append(have, p.Name)
		}
		for _, w := range want {
			if !slices.Contains(have, w) {
				t.Errorf("%s has no %s", name, w)
			}
		}
	}
}
