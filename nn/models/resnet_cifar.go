package models

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// CIFARResNet is the 6n+2-layer residual network for 32x32 images of He et
// al. 2016 ("Deep residual learning", section 4.2): a 3x3 convolution, three
// stages of n basic blocks with 16, 32 and 64 channels, global average
// pooling and a linear layer. Shortcuts are type A: parameter-free, with a
// stride-2 subsample and zero channels added when the shape changes. With
// PreAct it is the pre-activation variant (He et al. 2016, "Identity
// mappings"), as fb.resnet.torch builds it and Veit et al. 2016 study it.
// It is Lesionable: its blocks are the 3n residual blocks.
type CIFARResNet struct {
	nn.Base
	stages
	conv1  *nn.Conv2D
	bn1    *nn.BatchNorm2D // nil in the pre-activation variant
	Layers []*nn.Sequential
	bn     *nn.BatchNorm2D // final pre-activation norm, nil in the original
	pool   *nn.GlobalAvgPool
	linear *nn.Linear
}

var _ = register(
	Spec{"resnet20", "CIFAR ResNet-20 (n=3), type-A shortcuts", "He et al., Deep Residual Learning", 2016, 32, cifarResNet(3, false)},
	Spec{"resnet56", "CIFAR ResNet-56 (n=9), type-A shortcuts", "He et al., Deep Residual Learning", 2016, 32, cifarResNet(9, false)},
	Spec{"resnet110", "CIFAR ResNet-110 (n=18), type-A shortcuts", "He et al., Deep Residual Learning", 2016, 32, cifarResNet(18, false)},
	Spec{"preresnet20", "pre-activation CIFAR ResNet-20, type-A shortcuts", "He et al., Identity Mappings in Deep Residual Networks", 2016, 32, cifarResNet(3, true)},
	Spec{"preresnet56", "pre-activation CIFAR ResNet-56, type-A shortcuts", "He et al., Identity Mappings in Deep Residual Networks", 2016, 32, cifarResNet(9, true)},
	Spec{"preresnet110", "pre-activation CIFAR ResNet-110 (54 blocks, as in Veit et al. 2016)", "He et al., Identity Mappings in Deep Residual Networks", 2016, 32, cifarResNet(18, true)},
)

var _ = registerDefaults(Options{Classes: 10}, "resnet20", "resnet56", "resnet110", "preresnet20", "preresnet56", "preresnet110")

func cifarResNet(n int, preAct bool) func(*nn.Builder, Options) nn.Module {
	return func(b *nn.Builder, o Options) nn.Module { return NewCIFARResNet(b, o, n, preAct) }
}

// NewCIFARResNet returns the 6n+2-layer CIFAR ResNet, pre-activation when
// preAct is set.
func NewCIFARResNet(b *nn.Builder, o Options, n int, preAct bool) *CIFARResNet {
	// Kaiming normal for convolutions (He et al. 2015, as the paper says in
	// section 3.4); PyTorch's default for the Linear.
	b = b.WithInits(nn.Inits{ConvWeight: nn.KaimingNormalFanOut})
	m := &CIFARResNet{}
	m.conv1 = nn.Child(&m.Base, "conv1", b.Conv2D(o.inChannels(), 16, 3, nn.ConvOptions{Padding: 1}))
	if !preAct {
		m.bn1 = nn.Child(&m.Base, "bn1", b.BatchNorm2D(16))
	}
	in := 16
	for i, width := range []int{16, 32, 64} {
		layer := &nn.Sequential{}
		for j := range n {
			stride := 1
			if i > 0 && j == 0 {
				stride = 2
			}
			if preAct {
				layer.Append(newPreActBlock(b, in, width, stride, j == 0))
			} else {
				layer.Append(newCIFARBlock(b, in, width, stride, o.ZeroInitResidual))
			}
			down := stride != 1 || in != width
			m.add(layer, Block{Name: fmt.Sprintf("layer%d.%d", i+1, j), Downsample: down, Deletable: true, Group: stageGroup(i, down)})
			in = width
		}
		m.Layers = append(m.Layers, nn.Child(&m.Base, fmt.Sprintf("layer%d", i+1), layer))
		m.seqs = append(m.seqs, layer)
	}
	if preAct {
		m.bn = nn.Child(&m.Base, "bn", b.BatchNorm2D(in))
	}
	m.pool = nn.Child(&m.Base, "avgpool", nn.NewGlobalAvgPool())
	m.linear = nn.Child(&m.Base, "linear", b.Linear(in, o.classes()))
	return m
}

// Forward maps images (N, H, W, C) to logits (N, classes).
func (m *CIFARResNet) Forward(x *autograd.Tensor) *autograd.Tensor {
	x = m.conv1.Forward(x)
	if m.bn1 != nil {
		x = m.bn1.ForwardReLU(x, nil)
	}
	for _, l := range m.Layers {
		x = l.Forward(x)
	}
	if m.bn != nil {
		x = m.bn.ForwardReLU(x, nil)
	}
	return m.Out(m.linear.Forward(m.pool.Forward(x)))
}

// shortcutA is the type-A shortcut (He et al. 2016, section 3.3): x
// subsampled with stride 2 and padded with zero channels, half before and
// half after, to out channels; x itself when the shape does not change.
func shortcutA(x *autograd.Tensor, out, stride int) *autograd.Tensor {
	n, _, _, c := x.Shape().NHWC("shortcutA")
	if stride != 1 {
		// A 1x1 window with stride 2 picks every other pixel, x[:, ::2, ::2].
		x = autograd.AvgPool2D(x, autograd.PoolOptions{Kernel: [2]int{1, 1}, Stride: [2]int{stride, stride}})
	}
	if out == c {
		return x
	}
	_, p, q, _ := x.Shape().NHWC("shortcutA")
	pad := (out - c) / 2
	zeros := autograd.Zeros(x.Device(), n, p, q, pad)
	return autograd.Concat(zeros, x, autograd.Zeros(x.Device(), n, p, q, out-c-pad))
}

// cifarBlock is the original basic block: conv-BN-ReLU-conv-BN, added to
// the shortcut, then ReLU.
type cifarBlock struct {
	nn.Base
	conv1, conv2 *nn.Conv2D
	bn1, bn2     *nn.BatchNorm2D
	out, stride  int
	mode         BlockMode
}

func (k *cifarBlock) setMode(m BlockMode) { k.mode = m }

func newCIFARBlock(b *nn.Builder, in, out, stride int, zeroInit bool) *cifarBlock {
	k := &cifarBlock{out: out, stride: stride}
	k.conv1 = nn.Child(&k.Base, "conv1", b.Conv2D(in, out, 3, nn.ConvOptions{Stride: stride, Padding: 1}))
	k.bn1 = nn.Child(&k.Base, "bn1", b.BatchNorm2D(out))
	k.conv2 = nn.Child(&k.Base, "conv2", b.Conv2D(out, out, 3, nn.ConvOptions{Padding: 1}))
	k.bn2 = nn.Child(&k.Base, "bn2", b.BatchNorm2D(out))
	if zeroInit {
		nn.Fill(k.bn2.Weight, 0)
	}
	return k
}

func (k *cifarBlock) Forward(x *autograd.Tensor) *autograd.Tensor {
	return k.Out(k.mode.joinReLU(k.bn2, func() *autograd.Tensor {
		return k.conv2.Forward(k.bn1.ForwardReLU(k.conv1.Forward(x), nil))
	}, func() *autograd.Tensor { return shortcutA(x, k.out, k.stride) }))
}

// preActBlock is the pre-activation basic block, BN-ReLU-conv twice, added
// to the shortcut (He et al. 2016, "Identity mappings", Figure 1b). The
// first block of each stage feeds the pre-activated input to the shortcut
// too (fb.resnet.torch's "both_preact"), so the stem needs no norm.
type preActBlock struct {
	nn.Base
	bn1, bn2     *nn.BatchNorm2D
	conv1, conv2 *nn.Conv2D
	out, stride  int
	bothPreact   bool
	mode         BlockMode
}

func (k *preActBlock) setMode(m BlockMode) { k.mode = m }

func newPreActBlock(b *nn.Builder, in, out, stride int, bothPreact bool) *preActBlock {
	k := &preActBlock{out: out, stride: stride, bothPreact: bothPreact}
	k.bn1 = nn.Child(&k.Base, "bn1", b.BatchNorm2D(in))
	k.conv1 = nn.Child(&k.Base, "conv1", b.Conv2D(in, out, 3, nn.ConvOptions{Stride: stride, Padding: 1}))
	k.bn2 = nn.Child(&k.Base, "bn2", b.BatchNorm2D(out))
	k.conv2 = nn.Child(&k.Base, "conv2", b.Conv2D(out, out, 3, nn.ConvOptions{Padding: 1}))
	return k
}

func (k *preActBlock) Forward(x *autograd.Tensor) *autograd.Tensor {
	// A deleted block that does not pre-activate its shortcut is the
	// identity and need not compute a.
	var a *autograd.Tensor
	if k.mode != BlockDeleted || k.bothPreact {
		a = k.bn1.ForwardReLU(x, nil)
	}
	if k.bothPreact {
		x = a
	}
	return k.Out(k.mode.join(func() *autograd.Tensor {
		return k.conv2.Forward(k.bn2.ForwardReLU(k.conv1.Forward(a), nil))
	}, func() *autograd.Tensor { return shortcutA(x, k.out, k.stride) }))
}
