package lesion

import (
	"encoding/csv"
	"image/png"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/data/embedded"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// fashion loads n examples of a split of the embedded Fashion-MNIST.
func fashion(t *testing.T, split string, n int) *Set {
	t.Helper()
	ds, err := embedded.FashionMNIST(split)
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadSet(ds, []data.Transform{data.Normalize{Mean: []float32{0.286}, Std: []float32{0.353}}}, 32, n)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkPNGs checks that dir holds the named PNG files, each decodable.
func checkPNGs(t *testing.T, dir string, names []string) {
	t.Helper()
	for _, name := range names {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// testLog writes a study's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// trainTiny trains m for steps of plain SGD on s's batches in turn.
func trainTiny(m nn.Module, dev *autograd.Device, s *Set, steps int) {
	nn.SetTraining(m, true)
	for i := range steps {
		x, labels := s.batch(dev, i%s.Batches())
		autograd.SoftmaxCrossEntropy(m.Forward(x), labels, autograd.CrossEntropyOptions{}).Backward()
		for _, p := range nn.Parameters(m) {
			w := p.Tensor
			w.Device().Backend().Axpby(-0.1, w.Grad().Buffer(), 1, w.Buffer())
			w.ZeroGrad()
		}
	}
	nn.SetTraining(m, false)
}

// tiny returns a pre-activation ResNet-14 (6 blocks) and the plain
// ResNet-8 (6 layers in its stages), trained for a few seconds, with test and training sets.
func tiny(t *testing.T) (dev *autograd.Device, res, plain models.Lesionable, test, tr *Set) {
	t.Helper()
	dev = autograd.NewDevice(cpu.New(1))
	o := models.Options{Classes: 10, InChannels: 1}
	res = models.NewCIFARResNet(nn.NewBuilder(dev, 1), o, 2, true)
	plain = models.NewPlainCIFAR(nn.NewBuilder(dev, 1), o, 1)
	tr, test = fashion(t, "train", 320), fashion(t, "val", 96)
	trainTiny(res, dev, tr, 20)
	trainTiny(plain, dev, tr, 20)
	return dev, res, plain, test, tr
}

func TestStudyEndToEnd(t *testing.T) {
	dev, res, plain, test, tr := tiny(t)
	x, _ := test.batch(dev, 0)
	before := res.Forward(x).Float32s()
	dir := t.TempDir()
	r, err := Run(dir, Inputs{ResNet: res, ResNetName: "preresnet14", Plain: plain, PlainName: "plain8", Dev: dev, Test: test, Train: tr, BN: fashion(t, "train", 64)},
		Config{Draws: 2, MaxDelete: 2, MaxSwaps: 2, PathSamples: 1, Seed: 1}, testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	// The networks have learnt: below chance (0.9) by more than 96 test
	// images would allow at random.
	if !(r.Base.Error < 0.8) || !(r.PlainBase.Error < 0.8) {
		t.Errorf("tiny networks' errors %v and %v: not trained", r.Base, r.PlainBase)
	}
	// The study leaves the network as it found it.
	if got := res.Forward(x).Float32s(); !slices.Equal(got, before) {
		t.Error("the network changed during the study")
	}
	for i, s := range r.Single {
		if s.Downsample != (i == 2 || i == 4) || !(s.Error >= 0 && s.Error <= 1) {
			t.Errorf("single %d: %+v", i, s)
		}
	}
	deletable := 0
	for _, s := range r.PlainSingle {
		if s.Deletable != !math.IsNaN(s.Error) {
			t.Errorf("plain single %+v", s)
		}
		if s.Deletable {
			deletable++
		}
	}
	if deletable != 4 {
		t.Errorf("%d deletable plain layers, want 4 (6 less 2 downsampling)", deletable)
	}
	for _, x := range r.Random {
		if len(x.Deleted) != x.K || !slices.IsSorted(x.Deleted) || len(slices.Compact(slices.Clone(x.Deleted))) != x.K {
			t.Errorf("random row %+v", x)
		}
	}
	for _, x := range r.Reorder {
		if x.Tau != KendallTau(x.Order) || x.Tau > 1 {
			t.Errorf("reorder row %+v", x)
		}
	}
	if len(r.Paths) != 7 {
		t.Errorf("%d path lengths measured, want 7", len(r.Paths))
	}
	for _, p := range r.Paths {
		if !(p.Mean > 0) {
			t.Errorf("path row %+v: no gradient", p)
		}
	}
	for name, rows := range map[string]int{"single.csv": 8, "single_plain.csv": 8, "random.csv": 5, "reorder.csv": 5, "paths.csv": 8} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) != rows {
			t.Errorf("%s: %d lines (%v), want %d", name, len(recs), err, rows)
		}
		if strings.HasPrefix(name, "single") || name == "random.csv" {
			if !slices.Contains(recs[0], "error_bn_reestimated") || recs[1][slices.Index(recs[0], "error_bn_reestimated")] == "" {
				t.Errorf("%s: no error with re-estimated batch norms: %v", name, recs[:2])
			}
		}
	}
	checkPNGs(t, dir, plotFiles)
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Deleting single blocks", "| error | BN re-est. |", "re-estimated batch-norm statistics, deleting one of", "### The plain network plain8", "## Deleting k random blocks", "## Reordering", "## Paths", "| 6 | 1 | 0.015625 |"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md has no %q", want)
		}
	}
}

func TestKendallTau(t *testing.T) {
	for _, c := range []struct {
		order []int
		want  float64
	}{
		{[]int{0, 1, 2, 3}, 1},
		{[]int{3, 2, 1, 0}, -1},
		{[]int{1, 0, 2}, 1.0 / 3},    // one discordant pair of 3
		{[]int{0, 2, 1, 3}, 4.0 / 6}, // one of 6
		{[]int{1, 0, 3, 2}, 2.0 / 6}, // two of 6
		{[]int{0, 4, 2, 3, 1}, 0},    // 5 of 10: (4,2) (4,3) (4,1) (2,1) (3,1)
	} {
		if got := KendallTau(c.order); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("KendallTau(%v) = %v, want %v", c.order, got, c.want)
		}
	}
	for _, bad := range [][]int{{0, 0}, {1, 2}, {0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("KendallTau(%v) did not panic", bad)
				}
			}()
			KendallTau(bad)
		}()
	}
}

// TestPathCounts checks the binomial counts against Pascal's triangle,
// built by addition only, up to 60 blocks.
func TestPathCounts(t *testing.T) {
	row := []*big.Int{big.NewInt(1)}
	for n := 0; n <= 60; n++ {
		got := PathCounts(n)
		sum := new(big.Int)
		for k := range row {
			if got[k].Cmp(row[k]) != 0 {
				t.Fatalf("n=%d k=%d: %v paths, want %v", n, k, got[k], row[k])
			}
			sum.Add(sum, got[k])
		}
		if len(got) != len(row) || sum.Cmp(new(big.Int).Lsh(big.NewInt(1), uint(n))) != 0 {
			t.Fatalf("n=%d: %d lengths summing to %v", n, len(got), sum)
		}
		next := []*big.Int{big.NewInt(1)}
		for k := 1; k < len(row); k++ {
			next = append(next, new(big.Int).Add(row[k-1], row[k]))
		}
		row = append(next, big.NewInt(1))
	}
	if got := PathCounts(54)[27].String(); got != "1946939425648112" {
		t.Errorf("C(54, 27) = %s", got)
	}
}

// TestReorderKeepsGroups checks that every draw only moves blocks within
// their group.
func TestReorderKeepsGroups(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	m := models.NewCIFARResNet(nn.NewBuilder(dev, 1), models.Options{Classes: 10, InChannels: 1}, 3, true)
	blocks := m.Blocks()
	rows := Reorder(m, dev, fashion(t, "val", 8), 4, 3, rand.New(rand.NewPCG(1, 2)))
	moved := false
	for _, r := range rows {
		for pos, b := range r.Order {
			if b != pos && blocks[b].Group != blocks[pos].Group {
				t.Fatalf("%v puts %s in place of %s", r.Order, blocks[b].Name, blocks[pos].Name)
			}
			moved = moved || b != pos
		}
	}
	if !moved || len(rows) != 12 {
		t.Errorf("%d rows, any moved: %v", len(rows), moved)
	}
}
