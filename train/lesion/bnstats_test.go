package lesion

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// TestReestimate checks the batch-norm re-estimation against statistics
// computed by hand in float64 on a conv-BN-ReLU-dropout-conv-BN network
// whose running statistics two training forwards have moved: after
// Reestimate each batch norm holds the average over the batches (the last
// one shorter) of the batch's mean and unbiased variance of its input,
// with the earlier batch norm normalising with the batch's statistics and
// the dropout off; no weight changes, and restore puts back the trained
// statistics and momentum bit for bit.
func TestReestimate(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	b := nn.NewBuilder(dev, 3)
	conv1, bn1 := b.Conv2D(1, 3, 3, nn.ConvOptions{Padding: 1}), b.BatchNorm2D(3)
	conv2, bn2 := b.Conv2D(3, 4, 3, nn.ConvOptions{Stride: 2}), b.BatchNorm2D(4)
	m := nn.NewSequential(conv1, bn1, nn.NewReLU(), nn.NewDropout(0.5), conv2, bn2)
	s := fashion(t, "train", 80) // batches of 32, 32 and 16
	for i := range 2 {
		x, _ := s.batch(dev, i)
		m.Forward(x)
	}
	nn.SetTraining(m, false)
	weights := map[string][]float32{}
	for _, p := range nn.Parameters(m) {
		weights[p.Name] = p.Tensor.Float32s()
	}
	trained := [][]float32{bn1.RunningMean.Float32s(), bn1.RunningVar.Float32s(), bn2.RunningMean.Float32s(), bn2.RunningVar.Float32s()}

	// The reference: each batch through the network by hand.
	want := make([][]float64, 4) // bn1 mean, var, bn2 mean, var
	for i := range s.Batches() {
		x, _ := s.batch(dev, i)
		y := conv1.Forward(x)
		mean, variance := channelStats(y)
		accumulate(want, 0, mean, variance, i)
		// bn1 in training: the batch's mean and biased variance.
		v := y.Float32s()
		c := len(mean)
		g, beta := bn1.Weight.Float32s(), bn1.Bias.Float32s()
		n := float64(len(v) / c)
		for j := range v {
			k := j % c
			z := (float64(v[j])-mean[k])/math.Sqrt(variance[k]*(n-1)/n+float64(bn1.Eps))*float64(g[k]) + float64(beta[k])
			v[j] = float32(max(z, 0))
		}
		mean, variance = channelStats(conv2.Forward(autograd.FromFloat32s(dev, v, y.Shape()...)))
		accumulate(want, 2, mean, variance, i)
	}

	restore := Reestimate(m, dev, s)
	got := [][]float32{bn1.RunningMean.Float32s(), bn1.RunningVar.Float32s(), bn2.RunningMean.Float32s(), bn2.RunningVar.Float32s()}
	for i := range want {
		for c := range want[i] {
			if d := math.Abs(float64(got[i][c]) - want[i][c]); d > 1e-5+1e-4*math.Abs(want[i][c]) {
				t.Errorf("statistic %d channel %d: re-estimated %g, by hand %g", i, c, got[i][c], want[i][c])
			}
		}
		if slices.Equal(got[i], trained[i]) {
			t.Errorf("statistic %d: re-estimation kept the trained values", i)
		}
	}
	if bn1.Training() || bn2.Training() {
		t.Error("Reestimate left batch norms in training mode")
	}
	restore()
	for i, v := range [][]float32{bn1.RunningMean.Float32s(), bn1.RunningVar.Float32s(), bn2.RunningMean.Float32s(), bn2.RunningVar.Float32s()} {
		if !slices.Equal(v, trained[i]) {
			t.Errorf("statistic %d restored as %v, trained %v", i, v, trained[i])
		}
	}
	if bn1.Momentum != 0.1 || bn2.Momentum != 0.1 {
		t.Errorf("momenta %v and %v after restore, want 0.1", bn1.Momentum, bn2.Momentum)
	}
	for _, p := range nn.Parameters(m) {
		if !slices.Equal(p.Tensor.Float32s(), weights[p.Name]) {
			t.Errorf("%s changed", p.Name)
		}
	}
}

// channelStats returns the mean and unbiased variance of each channel of
// y, whose last dimension is channels, in float64.
func channelStats(y *autograd.Tensor) (mean, variance []float64) {
	v := y.Float32s()
	shape := y.Shape()
	c := shape[len(shape)-1]
	n := float64(len(v) / c)
	mean, variance = make([]float64, c), make([]float64, c)
	for j, x := range v {
		mean[j%c] += float64(x) / n
	}
	for j, x := range v {
		d := float64(x) - mean[j%c]
		variance[j%c] += d * d / (n - 1)
	}
	return mean, variance
}

// accumulate folds batch i's statistics into the running averages
// want[at] and want[at+1].
func accumulate(want [][]float64, at int, mean, variance []float64, i int) {
	for k, s := range [][]float64{mean, variance} {
		if want[at+k] == nil {
			want[at+k] = make([]float64, len(s))
		}
		for c, v := range s {
			want[at+k][c] += (v - want[at+k][c]) / float64(i+1)
		}
	}
}

// TestSingleReestimated checks Single with the re-estimation on a tiny
// trained ResNet: every deletion gets both errors, the re-estimated ones
// are those of deleting the block and calling Reestimate by hand, and the
// network comes back with its trained statistics.
func TestSingleReestimated(t *testing.T) {
	dev, res, _, test, _ := tiny(t)
	bnSet := fashion(t, "train", 64)
	x, _ := test.batch(dev, 0)
	before := res.Forward(x).Float32s()
	base, rows := Single(res, dev, test, bnSet)
	if math.IsNaN(base.Reestimated) || base.Error != Evaluate(res, dev, test) {
		t.Errorf("full network: %+v", base)
	}
	for _, r := range rows {
		if !(r.Reestimated >= 0 && r.Reestimated <= 1) {
			t.Errorf("%s: %+v", r.Name, r.Errors)
		}
	}
	res.SetMode(1, models.BlockDeleted)
	restore := Reestimate(res, dev, bnSet)
	want := Evaluate(res, dev, test)
	restore()
	res.SetMode(1, models.BlockNormal)
	if rows[1].Reestimated != want {
		t.Errorf("block 1 re-estimated: %v, by hand %v", rows[1].Reestimated, want)
	}
	if got := res.Forward(x).Float32s(); !slices.Equal(got, before) {
		t.Error("the network changed")
	}
}

// TestCSVColumns checks that the re-estimated error gets its own column
// only when it was measured: a study without it writes the files earlier
// versions wrote.
func TestCSVColumns(t *testing.T) {
	rows := []SingleRow{{Index: 0, Block: models.Block{Name: "layer1.0", Deletable: true}, Errors: Errors{0.25, 0.125}}}
	random := []RandomRow{{K: 1, Deleted: []int{0}, Errors: Errors{0.5, 0.375}}}
	for bn, want := range map[int][]string{
		0:    {"block,name,downsample,deletable,error", "-1,full,false,false,0.1", "0,layer1.0,false,true,0.25", "k,draw,error,deleted", "1,0,0.5,0"},
		1000: {"block,name,downsample,deletable,error,error_bn_reestimated", "-1,full,false,false,0.1,0.2", "0,layer1.0,false,true,0.25,0.125", "k,draw,error,error_bn_reestimated,deleted", "1,0,0.5,0.375,0"},
	} {
		r := &Results{BNImages: bn, Random: random}
		var b strings.Builder
		if err := r.writeSingle(&b, Errors{0.1, 0.2}, rows); err != nil {
			t.Fatal(err)
		}
		if err := r.writeRandom(&b); err != nil {
			t.Fatal(err)
		}
		if got := strings.Fields(b.String()); !slices.Equal(got, want) {
			t.Errorf("BNImages %d: %q, want %q", bn, got, want)
		}
	}
}
