package train

import (
	"fmt"
	"math"
	"slices"
)

// IgnoreIndex is the segmentation label of pixels that count in no metric
// (object boundaries in Pascal VOC masks).
const IgnoreIndex = 255

// TopK accumulates top-k classification accuracy for several k at once.
// Counts are integers so that replicas on several devices merge exactly.
type TopK struct {
	Ks      []int
	Correct []int64 // Correct[i]: rows whose label is among the Ks[i] best logits
	Total   int64
}

// NewTopK returns an empty accumulator for the given k values (1 and 5 for
// ImageNet). It panics when a k is below 1.
func NewTopK(ks ...int) *TopK {
	for _, k := range ks {
		if k < 1 {
			panic(fmt.Sprintf("train: top-k with k=%d", k))
		}
	}
	return &TopK{Ks: append([]int(nil), ks...), Correct: make([]int64, len(ks))}
}

// AddHits counts a batch of rows given hits[j], the number of its rows
// whose label is among the j+1 best logits (a label's rank counts the
// logits strictly greater, plus equal ones at lower indices, as a stable
// sort orders them; a NaN label logit is never a hit), as
// autograd.Backend.TopKCounts computes them on the device. It panics when
// hits has fewer than MaxK entries.
func (t *TopK) AddHits(hits []float32, rows int) {
	if len(hits) < t.MaxK() {
		panic(fmt.Sprintf("train: top-k: %d hit counts for k up to %d", len(hits), t.MaxK()))
	}
	for i, k := range t.Ks {
		t.Correct[i] += int64(hits[k-1])
	}
	t.Total += int64(rows)
}

// MaxK returns the largest k tracked, 0 for none.
func (t *TopK) MaxK() int {
	if len(t.Ks) == 0 {
		return 0
	}
	return slices.Max(t.Ks)
}

// Merge adds the counts of o, which must track the same k values; it panics
// otherwise.
func (t *TopK) Merge(o *TopK) {
	if fmt.Sprint(t.Ks) != fmt.Sprint(o.Ks) {
		panic(fmt.Sprintf("train: merging top-k %v with %v", o.Ks, t.Ks))
	}
	for i := range t.Correct {
		t.Correct[i] += o.Correct[i]
	}
	t.Total += o.Total
}

// Accuracy returns the top-Ks[i] accuracy in percent, NaN before any row.
func (t *TopK) Accuracy(i int) float64 {
	return 100 * float64(t.Correct[i]) / float64(t.Total)
}

// ConfusionMatrix accumulates a segmentation confusion matrix, as
// torchvision's references/segmentation utils.ConfusionMatrix: Counts is
// (Classes, Classes) row-major, indexed by (target, prediction). Targets
// outside [0, Classes), IgnoreIndex among them, are not counted.
type ConfusionMatrix struct {
	Classes int
	Counts  []int64
}

// NewConfusionMatrix returns an empty matrix. It panics when classes < 1.
func NewConfusionMatrix(classes int) *ConfusionMatrix {
	if classes < 1 {
		panic(fmt.Sprintf("train: confusion matrix of %d classes", classes))
	}
	return &ConfusionMatrix{Classes: classes, Counts: make([]int64, classes*classes)}
}

// Add counts pixels: target and pred hold one class per pixel. It panics
// when the lengths differ or a prediction is out of range.
func (m *ConfusionMatrix) Add(target, pred []int32) {
	if len(target) != len(pred) {
		panic(fmt.Sprintf("train: confusion matrix: %d targets, %d predictions", len(target), len(pred)))
	}
	n := int32(m.Classes)
	for i, t := range target {
		p := pred[i]
		if p < 0 || p >= n {
			panic(fmt.Sprintf("train: confusion matrix: prediction %d out of range [0,%d)", p, n))
		}
		if t < 0 || t >= n {
			continue
		}
		m.Counts[t*n+p]++
	}
}

// Merge adds the counts of o; it panics when the class counts differ.
func (m *ConfusionMatrix) Merge(o *ConfusionMatrix) {
	if m.Classes != o.Classes {
		panic(fmt.Sprintf("train: merging a %d-class confusion matrix into a %d-class one", o.Classes, m.Classes))
	}
	for i, c := range o.Counts {
		m.Counts[i] += c
	}
}

// PixelAccuracy returns the percentage of counted pixels predicted right,
// NaN when none was counted.
func (m *ConfusionMatrix) PixelAccuracy() float64 {
	var diag, total int64
	for t := 0; t < m.Classes; t++ {
		diag += m.Counts[t*m.Classes+t]
		for p := 0; p < m.Classes; p++ {
			total += m.Counts[t*m.Classes+p]
		}
	}
	return 100 * float64(diag) / float64(total)
}

// IoU returns each class's intersection over union in percent; a class
// absent from both targets and predictions gets NaN.
func (m *ConfusionMatrix) IoU() []float64 {
	c := m.Classes
	iou := make([]float64, c)
	for k := 0; k < c; k++ {
		var rowSum, colSum int64
		for j := 0; j < c; j++ {
			rowSum += m.Counts[k*c+j]
			colSum += m.Counts[j*c+k]
		}
		inter := m.Counts[k*c+k]
		iou[k] = 100 * float64(inter) / float64(rowSum+colSum-inter)
	}
	return iou
}

// MeanIoU returns the mean of IoU over the classes present in targets or
// predictions, in percent; NaN when no pixel was counted. (torchvision's
// reference averages all classes, so an absent class makes its mean NaN.)
func (m *ConfusionMatrix) MeanIoU() float64 {
	sum, n := 0.0, 0
	for _, v := range m.IoU() {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	return sum / float64(n)
}
