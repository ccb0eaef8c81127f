package cpu

import (
	"fmt"
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// ceGrain is the number of rows of a cross-entropy worth a goroutine.
const ceGrain = 256

// SoftmaxCrossEntropy stores softmax(logits) row by row in probs and sets
// loss[0] to the mean label-smoothed cross-entropy over the rows whose label
// is not p.IgnoreIndex (0 when there is none). Log-softmax subtracts the
// row maximum and sums in float64; per-band partial losses are added in
// order. It panics on a label outside [0, p.Classes) that is not ignored.
// logits, probs: (Rows, Classes); labels: (Rows); loss: (1).
func (b *Backend) SoftmaxCrossEntropy(p autograd.CrossEntropyParams, logits, labels, probs, loss autograd.Buffer) {
	xv, lv, pv, lossv := floats(logits), ints(labels), floats(probs), floats(loss)
	k := p.Classes
	mustLen("SoftmaxCrossEntropy", p.Rows*k, len(xv), len(pv))
	mustLen("SoftmaxCrossEntropy labels", p.Rows, len(lv))
	mustLen("SoftmaxCrossEntropy loss", 1, len(lossv))
	eps := float64(p.Smoothing)
	chunks := b.chunks(p.Rows, ceGrain)
	partial := make([]float64, chunks)
	b.parallelFor(chunks, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			for r := ch * p.Rows / chunks; r < (ch+1)*p.Rows/chunks; r++ {
				x, pr := xv[r*k:(r+1)*k], pv[r*k:(r+1)*k]
				lse := logSumExp(x)
				var sum float64 // sum over classes of -log p
				for c, v := range x {
					logp := float64(v) - lse
					pr[c] = float32(math.Exp(logp))
					sum -= logp
				}
				label := lv[r]
				if label == p.IgnoreIndex {
					continue
				}
				checkLabel(label, k)
				nll := lse - float64(x[label])
				partial[ch] += (1-eps)*nll + eps*sum/float64(k)
			}
		}
	})
	var total float64
	for _, v := range partial {
		total += v
	}
	if n := counted(p, lv); n > 0 {
		lossv[0] = float32(total / float64(n))
	} else {
		lossv[0] = 0
	}
}

// SoftmaxCrossEntropyBackward sets dlogits = dloss[0]/n * (probs - target)
// for the n counted rows, with target = (1-eps)*onehot + eps/Classes, and
// zeros in ignored rows. probs, dlogits: (Rows, Classes); labels: (Rows);
// dloss: (1).
func (b *Backend) SoftmaxCrossEntropyBackward(p autograd.CrossEntropyParams, probs, labels, dloss, dlogits autograd.Buffer) {
	pv, lv, dlv, dxv := floats(probs), ints(labels), floats(dloss), floats(dlogits)
	k := p.Classes
	mustLen("SoftmaxCrossEntropyBackward", p.Rows*k, len(pv), len(dxv))
	mustLen("SoftmaxCrossEntropyBackward labels", p.Rows, len(lv))
	mustLen("SoftmaxCrossEntropyBackward dloss", 1, len(dlv))
	scale := float32(0)
	if n := counted(p, lv); n > 0 {
		scale = dlv[0] / float32(n)
	}
	eps := p.Smoothing
	uniform := eps / float32(k)
	b.parallelFor(p.Rows, ceGrain, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			pr, dx := pv[r*k:(r+1)*k], dxv[r*k:(r+1)*k]
			label := lv[r]
			if label == p.IgnoreIndex {
				clear(dx)
				continue
			}
			checkLabel(label, k)
			for c, v := range pr {
				dx[c] = scale * (v - uniform)
			}
			dx[label] -= scale * (1 - eps)
		}
	})
}

// logSumExp returns log(sum(exp(x))) in float64, shifted by the maximum so
// that no exponential overflows.
func logSumExp(x []float32) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// counted returns the number of rows whose label is not ignored.
func counted(p autograd.CrossEntropyParams, labels []int32) int {
	n := 0
	for _, l := range labels {
		if l != p.IgnoreIndex {
			n++
		}
	}
	return n
}

func checkLabel(label int32, classes int) {
	if label < 0 || int(label) >= classes {
		panic(fmt.Sprintf("cpu: SoftmaxCrossEntropy: label %d outside [0, %d)", label, classes))
	}
}
