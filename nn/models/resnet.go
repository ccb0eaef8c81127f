package models

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// ResNet is the ImageNet residual network of He et al. 2016 ("Deep residual
// learning"), torchvision's v1.5 (the stride sits on the 3x3 convolution),
// including ResNeXt (Xie et al. 2017) through grouped 3x3 convolutions.
// It is Lesionable: its blocks are the residual blocks of layer1 to
// layer4. As in CIFARResNet, a deleted block keeps its shortcut, so the
// first block of a stage, whose shortcut is the projection (downsample),
// can be deleted too; it is flagged Downsample and stays in place when
// blocks are reordered.
type ResNet struct {
	nn.Base
	stages
	conv1   *nn.Conv2D
	bn1     *nn.BatchNorm2D
	maxpool *nn.MaxPool2D
	Layers  []*nn.Sequential
	avgpool *nn.GlobalAvgPool
	fc      *nn.Linear
}

var _ = register(
	Spec{"resnet18", "ResNet-18, basic blocks [2,2,2,2]", "He et al., Deep Residual Learning", 2016, 224, ResNet18},
	Spec{"resnet34", "ResNet-34, basic blocks [3,4,6,3]", "He et al., Deep Residual Learning", 2016, 224, ResNet34},
	Spec{"resnet50", "ResNet-50 v1.5, bottlenecks [3,4,6,3]", "He et al., Deep Residual Learning", 2016, 224, ResNet50},
	Spec{"resnet101", "ResNet-101 v1.5, bottlenecks [3,4,23,3]", "He et al., Deep Residual Learning", 2016, 224, ResNet101},
	Spec{"resnet152", "ResNet-152 v1.5, bottlenecks [3,8,36,3]", "He et al., Deep Residual Learning", 2016, 224, ResNet152},
	Spec{"resnext50_32x4d", "ResNeXt-50, 32 groups of width 4", "Xie et al., Aggregated Residual Transformations", 2017, 224, ResNeXt50_32x4d},
	Spec{"resnext101_32x8d", "ResNeXt-101, 32 groups of width 8", "Xie et al., Aggregated Residual Transformations", 2017, 224, ResNeXt101_32x8d},
	Spec{"resnext101_64x4d", "ResNeXt-101, 64 groups of width 4", "Xie et al., Aggregated Residual Transformations", 2017, 224, ResNeXt101_64x4d},
	Spec{"wide_resnet50_2", "Wide ResNet-50-2, bottlenecks [3,4,6,3] twice as wide inside", "Zagoruyko & Komodakis, Wide Residual Networks", 2016, 224, WideResNet50_2},
	Spec{"wide_resnet101_2", "Wide ResNet-101-2, bottlenecks [3,4,23,3] twice as wide inside", "Zagoruyko & Komodakis, Wide Residual Networks", 2016, 224, WideResNet101_2},
)

// ResNet18 returns ResNet-18 (He et al. 2016, Table 1).
func ResNet18(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, false, []int{2, 2, 2, 2}, 1, 64)
}

// ResNet34 returns ResNet-34 (He et al. 2016, Table 1).
func ResNet34(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, false, []int{3, 4, 6, 3}, 1, 64)
}

// ResNet50 returns ResNet-50 (He et al. 2016, Table 1).
func ResNet50(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, true, []int{3, 4, 6, 3}, 1, 64)
}

// ResNet101 returns ResNet-101 (He et al. 2016, Table 1).
func ResNet101(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, true, []int{3, 4, 23, 3}, 1, 64)
}

// ResNet152 returns ResNet-152 (He et al. 2016, Table 1).
func ResNet152(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, true, []int{3, 8, 36, 3}, 1, 64)
}

// ResNeXt50_32x4d returns ResNeXt-50 (32x4d) (Xie et al. 2017, Table 1).
func ResNeXt50_32x4d(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, true, []int{3, 4, 6, 3}, 32, 4)
}

// ResNeXt101_32x8d returns ResNeXt-101 (32x8d) (Xie et al. 2017).
func ResNeXt101_32x8d(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, true, []int{3, 4, 23, 3}, 32, 8)
}

// ResNeXt101_64x4d returns ResNeXt-101 (64x4d) (Xie et al. 2017, Table 5).
func ResNeXt101_64x4d(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, true, []int{3, 4, 23, 3}, 64, 4)
}

// WideResNet50_2 returns Wide ResNet-50-2 (Zagoruyko & Komodakis 2016) as
// torchvision builds it: ResNet-50 with the 3x3 convolution of every
// bottleneck (and the 1x1s around it) twice as wide, the block outputs
// unchanged.
func WideResNet50_2(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, true, []int{3, 4, 6, 3}, 1, 2*64)
}

// WideResNet101_2 returns Wide ResNet-101-2, ResNet-101 widened as
// WideResNet50_2.
func WideResNet101_2(b *nn.Builder, o Options) nn.Module {
	return resnet(b, o, true, []int{3, 4, 23, 3}, 1, 2*64)
}

// resnet builds the network of basic blocks or bottlenecks with the given
// number of blocks per stage; groups and width per group shape the
// bottleneck's 3x3 convolutions (1 and 64 for ResNet, 1 and 128 for Wide
// ResNet-*-2, G and d for ResNeXt's GxDd).
func resnet(b *nn.Builder, o Options, bottleneck bool, blocks []int, groups, widthPerGroup int) *ResNet {
	// Kaiming normal, fan-out, for convolutions; PyTorch's default for the
	// final Linear (torchvision resnet.py).
	b = b.WithInits(nn.Inits{ConvWeight: nn.KaimingNormalFanOut})
	expansion := 1
	if bottleneck {
		expansion = 4
	}
	m := &ResNet{}
	m.conv1 = nn.Child(&m.Base, "conv1", b.Conv2D(o.inChannels(), 64, 7, nn.ConvOptions{Stride: 2, Padding: 3}))
	m.bn1 = nn.Child(&m.Base, "bn1", b.BatchNorm2D(64))
	m.maxpool = nn.Child(&m.Base, "maxpool", nn.NewMaxPool2D(3, 2, 1, false))
	in := 64
	for i, n := range blocks {
		planes := 64 << i
		stride := 1
		if i > 0 {
			stride = 2
		}
		layer := &nn.Sequential{}
		for j := range n {
			var blk nn.Module
			if bottleneck {
				blk = newBottleneck(b, in, planes, stride, groups, widthPerGroup, o.ZeroInitResidual)
			} else {
				blk = newBasicBlock(b, in, planes, stride, o.ZeroInitResidual)
			}
			layer.Append(blk)
			down := stride != 1 || in != planes*expansion
			m.add(layer, Block{Name: fmt.Sprintf("layer%d.%d", i+1, j), Downsample: down, Deletable: true, Group: stageGroup(i, down)})
			in, stride = planes*expansion, 1
		}
		m.Layers = append(m.Layers, nn.Child(&m.Base, fmt.Sprintf("layer%d", i+1), layer))
		m.seqs = append(m.seqs, layer)
	}
	m.avgpool = nn.Child(&m.Base, "avgpool", nn.NewGlobalAvgPool())
	m.fc = nn.Child(&m.Base, "fc", b.Linear(in, o.classes()))
	return m
}

// Forward maps images (N, H, W, C) to logits (N, classes).
func (m *ResNet) Forward(x *autograd.Tensor) *autograd.Tensor {
	x = m.maxpool.Forward(m.bn1.ForwardReLU(m.conv1.Forward(x), nil))
	for _, l := range m.Layers {
		x = l.Forward(x)
	}
	return m.Out(m.fc.Forward(m.avgpool.Forward(x)))
}

// downsample is the projection shortcut: a strided 1x1 convolution and
// batch norm, registered as "downsample" (0 and 1) when the shape changes.
func downsample(b *nn.Builder, parent *nn.Base, in, out, stride int) *nn.Sequential {
	if stride == 1 && in == out {
		return nil
	}
	return nn.Child(parent, "downsample", nn.NewSequential(
		b.Conv2D(in, out, 1, nn.ConvOptions{Stride: stride}), b.BatchNorm2D(out)))
}

// basicBlock is two 3x3 convolutions with a shortcut (He et al. 2016,
// Figure 2 left).
type basicBlock struct {
	nn.Base
	conv1, conv2 *nn.Conv2D
	bn1, bn2     *nn.BatchNorm2D
	downsample   *nn.Sequential
	mode         BlockMode
}

func (k *basicBlock) setMode(m BlockMode) { k.mode = m }

func newBasicBlock(b *nn.Builder, in, planes, stride int, zeroInit bool) *basicBlock {
	k := &basicBlock{}
	k.conv1 = nn.Child(&k.Base, "conv1", b.Conv2D(in, planes, 3, nn.ConvOptions{Stride: stride, Padding: 1}))
	k.bn1 = nn.Child(&k.Base, "bn1", b.BatchNorm2D(planes))
	k.conv2 = nn.Child(&k.Base, "conv2", b.Conv2D(planes, planes, 3, nn.ConvOptions{Padding: 1}))
	k.bn2 = nn.Child(&k.Base, "bn2", b.BatchNorm2D(planes))
	k.downsample = downsample(b, &k.Base, in, planes, stride)
	if zeroInit {
		nn.Fill(k.bn2.Weight, 0)
	}
	return k
}

func (k *basicBlock) Forward(x *autograd.Tensor) *autograd.Tensor {
	return k.Out(k.mode.joinReLU(k.bn2, func() *autograd.Tensor {
		return k.conv2.Forward(k.bn1.ForwardReLU(k.conv1.Forward(x), nil))
	}, func() *autograd.Tensor { return shortcut(k.downsample, x) }))
}

func shortcut(downsample *nn.Sequential, x *autograd.Tensor) *autograd.Tensor {
	if downsample == nil {
		return x
	}
	return downsample.Forward(x)
}

// bottleneck is 1x1, 3x3 (strided, grouped for ResNeXt) and 1x1
// convolutions with a shortcut (He et al. 2016, Figure 5 right).
type bottleneck struct {
	nn.Base
	conv1, conv2, conv3 *nn.Conv2D
	bn1, bn2, bn3       *nn.BatchNorm2D
	downsample          *nn.Sequential
	mode                BlockMode
}

func (k *bottleneck) setMode(m BlockMode) { k.mode = m }

func newBottleneck(b *nn.Builder, in, planes, stride, groups, widthPerGroup int, zeroInit bool) *bottleneck {
	width := planes * widthPerGroup / 64 * groups
	k := &bottleneck{}
	k.conv1 = nn.Child(&k.Base, "conv1", b.Conv2D(in, width, 1, nn.ConvOptions{}))
	k.bn1 = nn.Child(&k.Base, "bn1", b.BatchNorm2D(width))
	k.conv2 = nn.Child(&k.Base, "conv2", b.Conv2D(width, width, 3, nn.ConvOptions{Stride: stride, Padding: 1, Groups: groups}))
	k.bn2 = nn.Child(&k.Base, "bn2", b.BatchNorm2D(width))
	k.conv3 = nn.Child(&k.Base, "conv3", b.Conv2D(width, planes*4, 1, nn.ConvOptions{}))
	k.bn3 = nn.Child(&k.Base, "bn3", b.BatchNorm2D(planes*4))
	k.downsample = downsample(b, &k.Base, in, planes*4, stride)
	if zeroInit {
		nn.Fill(k.bn3.Weight, 0)
	}
	return k
}

func (k *bottleneck) Forward(x *autograd.Tensor) *autograd.Tensor {
	return k.Out(k.mode.joinReLU(k.bn3, func() *autograd.Tensor {
		y := k.bn1.ForwardReLU(k.conv1.Forward(x), nil)
		y = k.bn2.ForwardReLU(k.conv2.Forward(y), nil)
		return k.conv3.Forward(y)
	}, func() *autograd.Tensor { return shortcut(k.downsample, x) }))
}
