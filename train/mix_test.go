package train

import (
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// TestMixDraws checks the draws: the same batch place gives the same draw,
// the kinds follow the alphas set, both are chosen when both are set, and
// a CutMix box lies in the image with lam its unpasted share.
func TestMixDraws(t *testing.T) {
	both := batchMixer{seed: 3, mixupAlpha: 0.2, cutmixAlpha: 1}
	if a, b := both.draw(7, 1, 0, 32, 24), both.draw(7, 1, 0, 32, 24); a != b {
		t.Errorf("one batch place drew %+v then %+v", a, b)
	}
	if d := (batchMixer{seed: 3}).draw(7, 1, 0, 32, 24); d.mixed() || d.lam != 1 {
		t.Errorf("no alpha: %+v, want unmixed with lam 1", d)
	}
	counts := map[mixKind]int{}
	distinct := map[float64]bool{}
	for step := range int64(200) {
		for replica := range 2 {
			d := both.draw(step, 1+int(step%2), replica, 32, 24)
			counts[d.kind]++
			if d.kind == mixup { // CutMix's ratios are box areas, which repeat
				distinct[d.lam] = true
			}
			if !(d.lam >= 0 && d.lam <= 1) {
				t.Fatalf("lam %v", d.lam)
			}
			if d.kind != cutmix {
				continue
			}
			if d.x0 < 0 || d.y0 < 0 || d.x1 > 24 || d.y1 > 32 || d.x0 > d.x1 || d.y0 > d.y1 {
				t.Fatalf("box [%d,%d)x[%d,%d) outside 24x32", d.x0, d.x1, d.y0, d.y1)
			}
			if want := 1 - float64((d.x1-d.x0)*(d.y1-d.y0))/(24*32); d.lam != want {
				t.Fatalf("cutmix lam %v, want the unpasted share %v", d.lam, want)
			}
		}
	}
	if counts[mixup] < 150 || counts[cutmix] < 150 || counts[unmixed] != 0 {
		t.Errorf("400 draws with both alphas: %v", counts)
	}
	if len(distinct) != counts[mixup] {
		t.Errorf("%d mixup draws gave %d distinct ratios: the batch places share generators", counts[mixup], len(distinct))
	}
	only := batchMixer{seed: 3, cutmixAlpha: 1}
	for step := range int64(20) {
		if d := only.draw(step, 1, 0, 8, 8); d.kind != cutmix {
			t.Fatalf("-cutmix-alpha only drew %+v", d)
		}
	}
}

// TestMixupBetaMean checks that the ratios follow Beta(alpha, alpha): mean
// 1/2 and variance 1/(4(2 alpha + 1)).
func TestMixupBetaMean(t *testing.T) {
	m := batchMixer{seed: 1, mixupAlpha: 0.2}
	const n = 4000
	var sum, sq float64
	for step := range int64(n) {
		l := m.draw(step, 1, 0, 4, 4).lam
		sum += l
		sq += l * l
	}
	mean, variance := sum/n, sq/n-(sum/n)*(sum/n)
	want := 1 / (4 * (2*0.2 + 1))
	// Standard errors at n = 4000: about 0.0063 for the mean, 0.003 for the variance.
	if math.Abs(mean-0.5) > 0.03 || math.Abs(variance-want) > 0.015 {
		t.Errorf("Beta(0.2, 0.2) draws: mean %.4f variance %.4f, want 0.5 and %.4f", mean, variance, want)
	}
}

// TestMixImages checks mixed pixels against hand-computed ones: 3 images
// of 2x3 pixels, 2 channels, pixel values telling image, row, column and
// channel apart.
func TestMixImages(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(2))
	const n, h, w, c = 3, 2, 3, 2
	px := func(i, y, x, ch int) float32 { return float32(1000*i + 100*y + 10*x + ch) }
	var data []float32
	for i := range n {
		for y := range h {
			for x := range w {
				for ch := range c {
					data = append(data, px(i, y, x, ch))
				}
			}
		}
	}
	images := autograd.FromFloat32s(dev, data, n, h, w, c)
	check := func(name string, got *autograd.Tensor, want func(i, y, x, ch int) float32) {
		t.Helper()
		g := got.Float32s()
		k := 0
		for i := range n {
			for y := range h {
				for x := range w {
					for ch := range c {
						if d := g[k] - want(i, y, x, ch); d > 1e-3 || d < -1e-3 {
							t.Fatalf("%s: image %d pixel (%d,%d) channel %d = %v, want %v", name, i, y, x, ch, g[k], want(i, y, x, ch))
						}
						k++
					}
				}
			}
		}
	}
	mix := mixDraw{kind: mixup, lam: 0.25}
	check("mixup", mix.apply(images), func(i, y, x, ch int) float32 {
		return 0.25*px(i, y, x, ch) + 0.75*px((i+n-1)%n, y, x, ch)
	})
	box := mixDraw{kind: cutmix, lam: 1 - 2.0/6, x0: 1, x1: 3, y0: 1, y1: 2}
	check("cutmix", box.apply(images), func(i, y, x, ch int) float32 {
		if y >= 1 && y < 2 && x >= 1 && x < 3 {
			return px((i+n-1)%n, y, x, ch)
		}
		return px(i, y, x, ch)
	})
	check("input", images, px) // left as it was
	if got := (mixDraw{kind: unmixed, lam: 1}).apply(images); got != images {
		t.Error("an unmixed draw made new images")
	}
}

// TestMixedLossIsSoftTargetCrossEntropy checks the objective on a mixed
// batch against the cross-entropy with soft targets computed in float64:
// t[i] = lam*onehot(y[i]) + (1-lam)*onehot(y[i-1]), smoothed to
// (1-eps)*t + eps/classes, loss = mean over i of -sum_c t[i][c] log p[i][c];
// its gradient with respect to the logits is (p - t)/N. It also checks the
// scored logits: the rows whose larger share is the previous label are
// scored against it.
func TestMixedLossIsSoftTargetCrossEntropy(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	const n, classes = 4, 5
	logits := []float32{0.3, -1, 2, 0.5, 0.1, 1, 1, -2, 0, 0.7, -0.4, 0.2, 0.9, 1.5, -1, 2.2, 0.1, -0.3, 0.4, 0}
	labels := []int32{2, 0, 3, 3}
	for _, c := range []struct{ lam, eps float64 }{{0.7, 0}, {0.3, 0.1}, {1, 0.1}} {
		z := autograd.FromFloat32s(dev, logits, n, classes).SetRequiresGrad(true)
		y := autograd.FromInt32s(dev, labels, n)
		o := objective{smoothing: c.eps}
		d := mixDraw{kind: mixup, lam: c.lam}
		loss := o.mixedCrossEntropy(z, y, d)
		loss.Backward()
		var want float64
		wantGrad := make([]float64, n*classes)
		for i := range n {
			row := logits[i*classes : (i+1)*classes]
			var zmax, sum float64 = math.Inf(-1), 0
			for _, v := range row {
				zmax = math.Max(zmax, float64(v))
			}
			for _, v := range row {
				sum += math.Exp(float64(v) - zmax)
			}
			for k, v := range row {
				target := c.eps / classes
				if int32(k) == labels[i] {
					target += (1 - c.eps) * c.lam
				}
				if int32(k) == labels[(i+n-1)%n] {
					target += (1 - c.eps) * (1 - c.lam)
				}
				logp := float64(v) - zmax - math.Log(sum)
				want -= target * logp / n
				wantGrad[i*classes+k] = (math.Exp(logp) - target) / n
			}
		}
		if got := float64(loss.Float32s()[0]); math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("lam %v eps %v: loss %v, want %v", c.lam, c.eps, got, want)
		}
		for i, g := range z.Grad().Float32s() {
			if math.Abs(float64(g)-wantGrad[i]) > 1e-6 {
				t.Errorf("lam %v eps %v: gradient %d = %v, want %v", c.lam, c.eps, i, g, wantGrad[i])
				break
			}
		}
	}
}
