package backendtest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("SoftmaxCrossEntropy", testSoftmaxCrossEntropy)

// crossEntropyRef is PyTorch's cross_entropy with label_smoothing eps and
// reduction "mean": each counted row contributes
// (1-eps)*(-log p[label]) + eps*mean over classes of -log p, and the sum
// is divided by the number of counted rows (0 when there is none).
func crossEntropyRef(logits, labels []float64, classes int, eps float64, ignore int) float64 {
	var sum float64
	counted := 0
	for r, l := range labels {
		if int(l) == ignore {
			continue
		}
		x := logits[r*classes : (r+1)*classes]
		m := math.Inf(-1)
		for _, v := range x {
			m = math.Max(m, v)
		}
		var z float64
		for _, v := range x {
			z += math.Exp(v - m)
		}
		logZ := m + math.Log(z)
		var smooth float64
		for _, v := range x {
			smooth += (logZ - v) / float64(classes)
		}
		sum += (1-eps)*(logZ-x[int(l)]) + eps*smooth
		counted++
	}
	if counted == 0 {
		return 0
	}
	return sum / float64(counted)
}

func testSoftmaxCrossEntropy(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	const ignore = 255
	for _, c := range []struct {
		name    string
		shape   []int // logits; labels drop the last dimension
		scale   float32
		eps     float32
		ignored int // rows labelled ignore, from the first
		opts    bool
	}{
		{name: "classification", shape: []int{5, 7}, scale: 1},
		{name: "smoothing", shape: []int{6, 10}, scale: 3, eps: 0.1},
		{name: "large logits", shape: []int{4, 9}, scale: 40, eps: 0.05},
		{name: "per-pixel", shape: []int{2, 3, 4, 5}, scale: 2, eps: 0.2, ignored: 7, opts: true},
		{name: "one class", shape: []int{3, 1}, scale: 1},
		{name: "all ignored", shape: []int{2, 2, 3, 4}, scale: 1, eps: 0.1, ignored: 12, opts: true},
	} {
		classes := c.shape[len(c.shape)-1]
		rows := autograd.Shape(c.shape).Numel() / classes
		logits := randn(rng, rows*classes)
		for i := range logits {
			logits[i] *= c.scale
		}
		labels := make([]int32, rows)
		for i := range labels {
			labels[i] = int32(rng.IntN(classes))
			if i < c.ignored {
				labels[i] = ignore
			}
		}
		o := autograd.CrossEntropyOptions{LabelSmoothing: c.eps, IgnoreIndex: ignore, HasIgnore: c.opts}
		check(t, dev, opCase{
			name: "SoftmaxCrossEntropy " + c.name,
			inputs: []input{
				{shape: c.shape, data: logits, grad: true},
				{shape: c.shape[:len(c.shape)-1], labels: labels},
			},
			forward: func(in []*autograd.Tensor) *autograd.Tensor {
				loss := autograd.SoftmaxCrossEntropy(in[0], in[1], o)
				if len(loss.Shape()) != 0 {
					t.Errorf("%s: loss shape %v, want a scalar", c.name, loss.Shape())
				}
				return loss
			},
			ref: func(in [][]float64) []float64 {
				ign := -1
				if c.opts {
					ign = ignore
				}
				return []float64{crossEntropyRef(in[0], in[1], classes, float64(c.eps), ign)}
			},
			atol: 1e-6, rtol: 1e-5,
		})
	}

	// Equal logits give log(classes) whatever the label and smoothing.
	for _, eps := range []float32{0, 0.3} {
		loss := autograd.SoftmaxCrossEntropy(autograd.Full(dev, 2.5, 3, 6), autograd.FromInt32s(dev, []int32{0, 5, 2}, 3),
			autograd.CrossEntropyOptions{LabelSmoothing: eps})
		allClose(t, fmt.Sprintf("SoftmaxCrossEntropy of equal logits, eps %g", eps), []float32{loss.Item()}, []float64{math.Log(6)}, 0, 1e-6)
	}
	logits := autograd.Zeros(dev, 4, 3)
	for name, labels := range map[string]*autograd.Tensor{
		"labels of the wrong shape": autograd.FromInt32s(dev, []int32{0, 1, 2}, 3),
		"Float32 labels":            autograd.Zeros(dev, 4),
	} {
		if !didPanic(func() { autograd.SoftmaxCrossEntropy(logits, labels, autograd.CrossEntropyOptions{}) }) {
			t.Errorf("SoftmaxCrossEntropy with %s did not panic", name)
		}
	}
	testSoftmaxCrossEntropyLarge(t, dev)
}

// testSoftmaxCrossEntropyLarge checks enough rows for a multi-worker
// backend to split, with the gradient against its closed form
// dloss/n * (softmax - target) in float64 (central differences would take
// too long).
func testSoftmaxCrossEntropyLarge(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	const rows, classes, eps, ignore = 1100, 5, 0.1, 255
	logits := randn(rng, rows*classes)
	labels := make([]int32, rows)
	counted := 0
	for i := range labels {
		labels[i] = int32(rng.IntN(classes + 1))
		if labels[i] == classes {
			labels[i] = ignore
		} else {
			counted++
		}
	}
	x := autograd.FromFloat32s(dev, logits, rows, classes).SetRequiresGrad(true)
	o := autograd.CrossEntropyOptions{LabelSmoothing: eps, IgnoreIndex: ignore, HasIgnore: true}
	loss := autograd.SoftmaxCrossEntropy(x, autograd.FromInt32s(dev, labels, rows), o)
	x64 := toFloat64(logits)
	allClose(t, "SoftmaxCrossEntropy large", []float32{loss.Item()}, []float64{crossEntropyRef(x64, toFloat64(labels), classes, eps, ignore)}, 1e-6, 1e-5)
	const dloss = 0.75
	loss.BackwardWith(autograd.Full(dev, dloss))
	want := make([]float64, rows*classes)
	for r, l := range labels {
		if l == ignore {
			continue
		}
		row := x64[r*classes : (r+1)*classes]
		var z float64
		for _, v := range row {
			z += math.Exp(v)
		}
		for k, v := range row {
			target := eps / classes
			if k == int(l) {
				target += 1 - eps
			}
			want[r*classes+k] = dloss / float64(counted) * (math.Exp(v)/z - target)
		}
	}
	allClose(t, "SoftmaxCrossEntropy large gradient", x.Grad().Float32s(), want, 1e-7, 1e-5)
}
