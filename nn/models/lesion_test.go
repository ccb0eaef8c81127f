package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
)

// lesionNet builds a small Lesionable network on dev with seed, trained a
// few steps on the embedded Fashion-MNIST so that its batch-norm running
// statistics and weights are not the initial ones.
func lesionNet(t *testing.T, dev *autograd.Device, kind string) Lesionable {
	t.Helper()
	b := nn.NewBuilder(dev, 7)
	o := Options{Classes: 10, InChannels: 1}
	var m Lesionable
	switch kind {
	case "preact":
		m = NewCIFARResNet(b, o, 1, true)
	case "original":
		m = NewCIFARResNet(b, o, 1, false)
	case "plain":
		m = NewPlainCIFAR(b, o, 1)
	case "basic": // ResNet-18's blocks, fewer of them
		m = resnet(b, o, false, []int{2, 1, 1, 1}, 1, 64)
	case "bottleneck": // ResNet-50's
		m = resnet(b, o, true, []int{3, 1, 1, 1}, 1, 64)
	}
	x, labels, _ := fashionBatch(t, dev, "", 16, 16)
	for range 3 {
		autograd.SoftmaxCrossEntropy(m.Forward(x), labels, autograd.CrossEntropyOptions{}).Backward()
		sgdStep(m, 0.05)
	}
	nn.SetTraining(m, false)
	return m
}

func randomImages(dev *autograd.Device, n, size int) *autograd.Tensor {
	r := rand.New(rand.NewPCG(3, 4))
	v := make([]float32, n*size*size)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return autograd.FromFloat32s(dev, v, n, size, size, 1)
}

// TestDeletedBlockIsZeroResidual checks that deleting a block gives, bit
// for bit, the network whose block has its residual output forced to zero
// (the last layer of its branch zeroed: conv2 of a pre-activation block,
// bn2's scale and shift of an original CIFAR one or an ImageNet basic
// block, bn3's of a bottleneck), projection shortcuts kept.
func TestDeletedBlockIsZeroResidual(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	x := randomImages(dev, 4, 16)
	for kind, zero := range map[string][]string{"preact": {"conv2.weight"}, "original": {"bn2.weight", "bn2.bias"},
		"basic": {"bn2.weight", "bn2.bias"}, "bottleneck": {"bn3.weight", "bn3.bias"}} {
		m := lesionNet(t, dev, kind)
		full := m.Forward(x).Float32s()
		for i, blk := range m.Blocks() {
			m.SetMode(i, BlockDeleted)
			got := m.Forward(x).Float32s()
			m.SetMode(i, BlockNormal)
			var saved []*autograd.Tensor
			for _, p := range nn.Parameters(m) {
				if slices.Contains(zero, strings.TrimPrefix(p.Name, blk.Name+".")) {
					saved = append(saved, p.Tensor, autograd.FromFloat32s(dev, p.Tensor.Float32s(), p.Tensor.Shape()...))
					nn.Fill(p.Tensor, 0)
				}
			}
			if len(saved) != 2*len(zero) {
				t.Fatalf("%s: %s has no %v", kind, blk.Name, zero)
			}
			want := m.Forward(x).Float32s()
			for j := 0; j < len(saved); j += 2 {
				saved[j].CopyFrom(saved[j+1])
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: deleting %s gives %v, forcing its residual to zero %v", kind, blk.Name, got[:4], want[:4])
			}
			if slices.Equal(got, full) {
				t.Errorf("%s: deleting %s changes nothing", kind, blk.Name)
			}
		}
		if got := m.Forward(x).Float32s(); !slices.Equal(got, full) {
			t.Errorf("%s: the network did not come back whole", kind)
		}
	}
}

// TestDeletedPlainLayerIsSkipped checks that a deleted plain layer passes
// its input through: the network equals one built without the layer.
func TestDeletedPlainLayerIsSkipped(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	x := randomImages(dev, 2, 16)
	m := lesionNet(t, dev, "plain").(*PlainCIFAR)
	blocks := m.Blocks()
	for i, b := range blocks {
		if b.Downsample == b.Deletable {
			t.Errorf("%s: downsample %v, deletable %v", b.Name, b.Downsample, b.Deletable)
		}
		if !b.Deletable {
			continue
		}
		m.SetMode(i, BlockDeleted)
		got := m.Forward(x).Float32s()
		m.SetMode(i, BlockNormal)
		// The same layers run by hand, the deleted one left out.
		y := autograd.ReLU(m.bn1.Forward(m.conv1.Forward(x)))
		for _, l := range m.Layers {
			for _, layer := range l.Layers {
				if layer != m.blocks[i] {
					y = layer.Forward(y)
				}
			}
		}
		want := m.linear.Forward(m.pool.Forward(y)).Float32s()
		if !slices.Equal(got, want) {
			t.Errorf("deleting %s: %v, want %v", b.Name, got, want)
		}
	}
	if n := len(blocks); n != 6 {
		t.Errorf("plain n=1 has %d layers in its stages, want 6", n)
	}
}

// TestPlainParamsMatchResNet checks plain20's parameter count by hand: the
// type-A shortcuts of resnet20 have no parameters, and the pre-activation
// norms aside, the two networks have the same layers.
func TestPlainParamsMatchResNet(t *testing.T) {
	// conv1 and bn1, 18 3x3 convs with their norms, the linear layer.
	want := 3*16*9 + 32 +
		(6*16*16*9 + 6*32) + (16*32*9 + 5*32*32*9 + 6*64) + (32*64*9 + 5*64*64*9 + 6*128) + 64*10 + 10
	dev := autograd.NewDevice(cpu.New(1))
	if got := nn.NumParams(NewPlainCIFAR(nn.NewShapeBuilder(dev), Options{Classes: 10}, 3)); got != want || want != 269_722 {
		t.Errorf("plain20 has %d parameters, want %d (resnet20: 269,722)", got, want)
	}
}

// TestReorder checks that SetOrder changes the output, that SetOrder(nil)
// restores it exactly, and that blocks of different groups cannot trade
// places.
func TestReorder(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	x := randomImages(dev, 2, 16)
	b := nn.NewBuilder(dev, 7)
	m := NewCIFARResNet(b, Options{Classes: 10, InChannels: 1}, 2, true)
	nn.SetTraining(m, false)
	want := m.Forward(x).Float32s()
	// Blocks: layer1.0 layer1.1 | layer2.0 (down) layer2.1 | layer3.0 (down) layer3.1.
	var groups []int
	for _, blk := range m.Blocks() {
		groups = append(groups, blk.Group)
	}
	if !slices.Equal(groups, []int{0, 0, -1, 1, -1, 2}) {
		t.Fatalf("groups %v", groups)
	}
	m.SetOrder([]int{1, 0, 2, 3, 4, 5})
	if slices.Equal(m.Forward(x).Float32s(), want) {
		t.Error("swapping layer1.0 and layer1.1 changes nothing")
	}
	m.SetOrder(nil)
	if got := m.Forward(x).Float32s(); !slices.Equal(got, want) {
		t.Errorf("restored order gives %v, want %v", got, want)
	}
	for _, bad := range [][]int{{0, 1, 3, 2, 4, 5}, {0, 1, 2, 3, 5, 4}, {0, 0, 2, 3, 4, 5}, {0, 1, 2}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SetOrder(%v) did not panic", bad)
				}
			}()
			m.SetOrder(bad)
		}()
	}
}

// TestPathGradientsSumToGradient checks the unravelled view exactly: the
// forward pass is the same in every mode, and the input gradients of all
// 2^n single-path backward passes add up to the full gradient.
func TestPathGradientsSumToGradient(t *testing.T) {
	for _, kind := range []string{"preact", "basic", "bottleneck"} {
		t.Run(kind, func(t *testing.T) { testPathGradients(t, kind) })
	}
}

func testPathGradients(t *testing.T, kind string) {
	dev := autograd.NewDevice(cpu.New(1))
	m := lesionNet(t, dev, kind)
	n := len(m.Blocks())
	grad := func() ([]float32, []float32) {
		x := randomImages(dev, 2, 16).SetRequiresGrad(true)
		y := m.Forward(x)
		out := y.Float32s()
		// The loss is a fixed random projection of the logits.
		y.BackwardWith(autograd.FromFloat32s(dev, projection(len(out)), y.Shape()...))
		nn.ZeroGrad(m)
		return out, x.Grad().Float32s()
	}
	wantOut, want := grad()
	sum := make([]float64, len(want))
	for mask := range 1 << n {
		for i := range n {
			if mask>>i&1 == 1 {
				m.SetMode(i, BlockBranchGrad)
			} else {
				m.SetMode(i, BlockSkipGrad)
			}
		}
		out, g := grad()
		if !slices.Equal(out, wantOut) {
			t.Fatalf("paths %b: the forward pass changed", mask)
		}
		for j, v := range g {
			sum[j] += float64(v)
		}
	}
	for j, w := range want {
		if d := math.Abs(sum[j] - float64(w)); d > 1e-5+1e-4*math.Abs(float64(w)) {
			t.Fatalf("input gradient %d: sum over paths %g, full %g", j, sum[j], w)
		}
	}
}

func projection(n int) []float32 {
	r := rand.New(rand.NewPCG(5, 6))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// TestImageNetResNetBlocks checks the blocks of the registered ImageNet
// ResNets: one per residual block of layer1 to layer4, the first of a
// stage flagged Downsample (and in no group) exactly when it has a
// projection shortcut, every one deletable as in the CIFAR ResNets; only
// an out-of-range index makes SetMode panic.
func TestImageNetResNetBlocks(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	for name, c := range map[string]struct {
		stages []int
		layer1 bool // layer1.0 has a projection shortcut (bottlenecks: 64 to 256 channels)
	}{
		"resnet18": {[]int{2, 2, 2, 2}, false}, "resnet34": {[]int{3, 4, 6, 3}, false},
		"resnet50": {[]int{3, 4, 6, 3}, true}, "resnet101": {[]int{3, 4, 23, 3}, true}, "resnet152": {[]int{3, 8, 36, 3}, true},
	} {
		m, err := New(name, nn.NewShapeBuilder(dev), Options{Classes: 10})
		if err != nil {
			t.Fatal(err)
		}
		l, ok := m.(Lesionable)
		if !ok {
			t.Fatalf("%s is not Lesionable", name)
		}
		var want []Block
		for i, n := range c.stages {
			for j := range n {
				down := j == 0 && (i > 0 || c.layer1)
				want = append(want, Block{Name: fmt.Sprintf("layer%d.%d", i+1, j), Downsample: down, Deletable: true, Group: stageGroup(i, down)})
			}
		}
		if got := l.Blocks(); !slices.Equal(got, want) {
			t.Errorf("%s: blocks %v, want %v", name, got, want)
		}
		params := map[string]bool{}
		for _, p := range nn.Parameters(m) {
			params[p.Name] = true
		}
		for i, b := range l.Blocks() {
			if params[b.Name+".downsample.0.weight"] != b.Downsample {
				t.Errorf("%s: %s flagged downsample %v", name, b.Name, b.Downsample)
			}
			l.SetMode(i, BlockDeleted)
			l.SetMode(i, BlockNormal)
		}
		for _, i := range []int{-1, len(want)} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: SetMode(%d) did not panic", name, i)
					}
				}()
				l.SetMode(i, BlockDeleted)
			}()
		}
	}
}

// TestImageNetResNetReorder checks SetOrder on the ImageNet blocks: two
// blocks of a stage trade places and change the output, nil restores it
// exactly, and a block with a projection shortcut cannot move.
func TestImageNetResNetReorder(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	x := randomImages(dev, 2, 16)
	for kind, c := range map[string]struct{ swap, bad []int }{
		// layer1.0 layer1.1 | layer2.0 | layer3.0 | layer4.0
		"basic": {[]int{1, 0, 2, 3, 4}, []int{0, 2, 1, 3, 4}},
		// layer1.0 (down) layer1.1 layer1.2 | layer2.0 | layer3.0 | layer4.0
		"bottleneck": {[]int{0, 2, 1, 3, 4, 5}, []int{1, 0, 2, 3, 4, 5}},
	} {
		m := lesionNet(t, dev, kind)
		want := m.Forward(x).Float32s()
		m.SetOrder(c.swap)
		if slices.Equal(m.Forward(x).Float32s(), want) {
			t.Errorf("%s: order %v changes nothing", kind, c.swap)
		}
		m.SetOrder(nil)
		if got := m.Forward(x).Float32s(); !slices.Equal(got, want) {
			t.Errorf("%s: restored order gives %v, want %v", kind, got, want)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: SetOrder(%v) did not panic", kind, c.bad)
				}
			}()
			m.SetOrder(c.bad)
		}()
	}
}
