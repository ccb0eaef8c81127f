package models

import (
	"fmt"
	"slices"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// Lesionable is a network whose blocks can be deleted, reordered and
// probed path by path at run time: what the layer-deletion study of Veit,
// Wilber & Belongie 2016 ("Residual networks behave like ensembles of
// relatively shallow networks") needs. CIFARResNet, PlainCIFAR and the
// ImageNet ResNet (resnet18 to resnet152, and the ResNeXt and Wide ResNet
// built the same way) have it.
type Lesionable interface {
	nn.Module
	// Blocks describes the blocks in construction order; the indices of
	// SetMode and SetOrder refer to it.
	Blocks() []Block
	// SetMode sets how block i runs. It panics when i is out of range or
	// the block cannot run that way (see Block.Deletable; a plain layer
	// has no skip, so only BlockNormal and BlockDeleted apply to it).
	SetMode(i int, m BlockMode)
	// SetOrder runs the blocks in the given order: order[j] is the block
	// run at position j; nil restores construction order. It panics
	// unless order is a permutation that puts every block at a position
	// of its own Group.
	SetOrder(order []int)
}

// Block describes one residual block, or one layer of a plain network.
type Block struct {
	Name string // prefix of its parameter names, e.g. "layer2.0"
	// Downsample is set when the block changes the shape of its input
	// (stride 2, more channels): the first block of a later stage.
	Downsample bool
	// Deletable is set when the block can be deleted: every residual
	// block (its skip is kept), and plain layers whose input and output
	// shapes are equal.
	Deletable bool
	// Group numbers the sets of interchangeable blocks (same input and
	// output shape, same position in the network's stages); -1 for a block
	// that can only stay where it is.
	Group int
}

// BlockMode says how a block runs.
type BlockMode uint8

// The modes of a block. The gradient modes leave the forward pass as it is
// and restrict the backward pass, to measure the gradient that flows along
// one path of the unravelled network (Veit et al. 2016, section 6).
const (
	// BlockNormal: y = skip(x) + branch(x), or a plain layer's output.
	BlockNormal BlockMode = iota
	// BlockDeleted: y = skip(x), the residual branch removed; a deleted
	// plain layer passes its input through.
	BlockDeleted
	// BlockBranchGrad: the gradient goes back through the branch only.
	BlockBranchGrad
	// BlockSkipGrad: the gradient goes back through the skip only.
	BlockSkipGrad
)

// String returns the mode's name.
func (m BlockMode) String() string {
	switch m {
	case BlockNormal:
		return "normal"
	case BlockDeleted:
		return "deleted"
	case BlockBranchGrad:
		return "branch-grad"
	case BlockSkipGrad:
		return "skip-grad"
	}
	return fmt.Sprintf("BlockMode(%d)", uint8(m))
}

// join adds a residual block's branch and skip as the mode says. Each is
// computed once; detaching one of them leaves its value in the sum and
// takes it out of the backward pass. A deleted block never runs its branch.
func (m BlockMode) join(branch, skip func() *autograd.Tensor) *autograd.Tensor {
	switch m {
	case BlockDeleted:
		return skip()
	case BlockBranchGrad:
		return autograd.Add(branch(), skip().Detach())
	case BlockSkipGrad:
		return autograd.Add(branch().Detach(), skip())
	}
	return autograd.Add(branch(), skip())
}

// joinReLU returns ReLU(m.join(bn(pre()), skip())): a block whose branch
// ends in bn, joined to its skip, then ReLU. In the normal mode bn, the
// add and the ReLU run as one op (nn.BatchNorm2D.ForwardReLU), with the
// same values and gradients; the other modes detach or drop one side, so
// they keep the separate ops, as all modes do without nn.FuseNormReLU.
func (m BlockMode) joinReLU(bn *nn.BatchNorm2D, pre, skip func() *autograd.Tensor) *autograd.Tensor {
	if m == BlockNormal && nn.FuseNormReLU {
		h := pre()
		return bn.ForwardReLU(h, skip())
	}
	return autograd.ReLU(m.join(func() *autograd.Tensor { return bn.Forward(pre()) }, skip))
}

// stages holds the blocks of a network's stages and runs them in a chosen
// order: each stage is an nn.Sequential whose Layers slice SetOrder
// rearranges, while its registered children, and so the parameter names,
// stay as built.
type stages struct {
	seqs   []*nn.Sequential
	blocks []nn.Module // construction order, all stages
	info   []Block
}

func (s *stages) add(seq *nn.Sequential, b Block) {
	s.blocks = append(s.blocks, seq.Layers[len(seq.Layers)-1])
	s.info = append(s.info, b)
}

// Blocks describes the blocks in construction order.
func (s *stages) Blocks() []Block { return slices.Clone(s.info) }

func (s *stages) checkIndex(i int) {
	if i < 0 || i >= len(s.blocks) {
		panic(fmt.Sprintf("models: block %d of %d", i, len(s.blocks)))
	}
}

// SetOrder runs the blocks in the given order; see Lesionable.
func (s *stages) SetOrder(order []int) {
	if order == nil {
		order = make([]int, len(s.blocks))
		for i := range order {
			order[i] = i
		}
	}
	if len(order) != len(s.blocks) {
		panic(fmt.Sprintf("models: SetOrder: %d positions for %d blocks", len(order), len(s.blocks)))
	}
	seen := make([]bool, len(order))
	for pos, b := range order {
		s.checkIndex(b)
		if seen[b] {
			panic(fmt.Sprintf("models: SetOrder: block %d placed twice", b))
		}
		seen[b] = true
		if b != pos && (s.info[b].Group < 0 || s.info[b].Group != s.info[pos].Group) {
			panic(fmt.Sprintf("models: SetOrder: block %s cannot run in place of %s", s.info[b].Name, s.info[pos].Name))
		}
	}
	pos := 0
	for _, seq := range s.seqs {
		for j := range seq.Layers {
			seq.Layers[j] = s.blocks[order[pos]]
			pos++
		}
	}
}

// moder is a block that runs in a BlockMode.
type moder interface{ setMode(BlockMode) }

// SetMode sets how block i runs; see Lesionable.
func (s *stages) SetMode(i int, m BlockMode) {
	s.checkIndex(i)
	if m == BlockDeleted && !s.info[i].Deletable {
		panic(fmt.Sprintf("models: block %s changes its input's shape and cannot be deleted", s.info[i].Name))
	}
	s.blocks[i].(moder).setMode(m)
}

// stageGroup is the Group of a block of stage i: the stage's blocks that
// keep their input's shape are interchangeable.
func stageGroup(i int, downsample bool) int {
	if downsample {
		return -1
	}
	return i
}
