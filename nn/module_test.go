package nn

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/cpu"
)

// block is a small composite module for the tests.
type block struct {
	Base
	conv *Conv2D
	bn   *BatchNorm2D
	head *Sequential
}

func newBlock(b *Builder) *block {
	k := &block{}
	k.conv = Child(&k.Base, "conv", b.Conv2D(3, 4, 3, ConvOptions{Padding: 1, Bias: true}))
	k.bn = Child(&k.Base, "bn", b.BatchNorm2D(4))
	k.head = Child(&k.Base, "head", NewSequential(NewGlobalAvgPool(), b.Linear(4, 2)))
	return k
}

func (k *block) Forward(x *autograd.Tensor) *autograd.Tensor {
	return k.Out(k.head.Forward(autograd.ReLU(k.bn.Forward(k.conv.Forward(x)))))
}

func names(ns []Named) []string {
	var s []string
	for _, n := range ns {
		s = append(s, n.Name)
	}
	return s
}

func TestNamesFollowTorch(t *testing.T) {
	m := newBlock(NewShapeBuilder(meta.NewDevice()))
	want := []string{"conv.weight", "conv.bias", "bn.weight", "bn.bias", "head.1.weight", "head.1.bias"}
	if got := names(Parameters(m)); !slices.Equal(got, want) {
		t.Errorf("parameters %v, want %v", got, want)
	}
	wantBuf := []string{"bn.running_mean", "bn.running_var", "bn.num_batches_tracked"}
	if got := names(Buffers(m)); !slices.Equal(got, wantBuf) {
		t.Errorf("buffers %v, want %v", got, wantBuf)
	}
	if got, want := NumParams(m), 4*3*3*3+4+4+4+2*4+2; got != want {
		t.Errorf("NumParams %d, want %d", got, want)
	}
	for _, p := range Parameters(m) {
		if !p.Tensor.RequiresGrad() {
			t.Errorf("%s does not require grad", p.Name)
		}
	}
	if got := Parameters(m)[0].Tensor.Shape(); !got.Equal(autograd.Shape{4, 3, 3, 3}) {
		t.Errorf("conv weight %v, want KRSC [4 3 3 3]", got)
	}
}

func TestChildTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	var b Base
	Child(&b, "x", NewReLU())
	Child(&b, "x", NewReLU())
}

func TestSameSeedSameWeights(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	a, b, c := newBlock(NewBuilder(dev, 7)), newBlock(NewBuilder(dev, 7)), newBlock(NewBuilder(dev, 8))
	pa, pb, pc := Parameters(a), Parameters(b), Parameters(c)
	differs := false
	for i := range pa {
		if !slices.Equal(pa[i].Tensor.Float32s(), pb[i].Tensor.Float32s()) {
			t.Errorf("%s differs between two builds with seed 7", pa[i].Name)
		}
		differs = differs || !slices.Equal(pa[i].Tensor.Float32s(), pc[i].Tensor.Float32s())
	}
	if !differs {
		t.Error("seeds 7 and 8 gave identical weights")
	}
}

func TestSetTrainingReachesEveryModule(t *testing.T) {
	m := newBlock(NewShapeBuilder(meta.NewDevice()))
	SetTraining(m, false)
	Walk(m, func(name string, m Module) {
		if m.base().Training() {
			t.Errorf("%q still training", name)
		}
	})
}

func TestSummaryRowsAddUp(t *testing.T) {
	dev := meta.NewDevice()
	m := newBlock(NewShapeBuilder(dev))
	m.Forward(autograd.Empty(dev, autograd.Float32, 2, 8, 8, 3))
	var out strings.Builder
	if err := Summary(&out, m); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; last != "params: 130" {
		t.Errorf("last line %q, want params: 130", last)
	}
	for _, want := range []string{"conv ", "[2 8 8 4]", "head.1 ", "[2 2]"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

// TestKaimingNormalStd checks the spread of a large draw against
// sqrt(2/fanOut), within five standard errors of a sample deviation.
func TestKaimingNormalStd(t *testing.T) {
	b := NewBuilder(autograd.NewDevice(cpu.New(1)), 3)
	const n, fanOut = 100000, 50
	w := b.Param(KaimingNormalFanOut, 1, fanOut, n).Float32s()
	var ss float64
	for _, v := range w {
		ss += float64(v) * float64(v)
	}
	got, want := math.Sqrt(ss/n), math.Sqrt(2.0/fanOut)
	if math.Abs(got-want) > 5*want/math.Sqrt(2*n) {
		t.Errorf("std %v, want %v", got, want)
	}
}
