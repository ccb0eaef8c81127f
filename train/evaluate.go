package train

import (
	"errors"
	"io"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/internal/argmax"
	"github.com/gocnn/gocnn/nn"
)

// scores accumulates a split's loss and accuracy: top-1/top-5 for
// classification, a confusion matrix for segmentation. Replicas keep one
// each; merge adds them up exactly (integer counts).
type scores struct {
	lossSum float64 // sum over examples of the batch mean loss
	n       int
	topk    *TopK
	cm      *ConfusionMatrix
}

func newScores(classes int, seg bool) *scores {
	s := &scores{}
	switch {
	case seg:
		s.cm = NewConfusionMatrix(classes)
	case classes >= 5:
		s.topk = NewTopK(1, 5)
	default:
		s.topk = NewTopK(1)
	}
	return s
}

// add counts a batch given its logits, (N, classes) or (N, H, W, classes),
// and mean loss.
func (s *scores) add(logits *autograd.Tensor, loss float64, b *data.Batch) {
	s.lossSum += loss * float64(b.Len())
	s.n += b.Len()
	shape := logits.Shape()
	classes := shape[len(shape)-1]
	out := logits.Float32s()
	if s.topk != nil {
		s.topk.Add(out, b.Labels, classes)
		return
	}
	s.cm.Add(b.Masks.Data().([]int32), argmax.Rows(out, classes))
}

func (s *scores) merge(o *scores) {
	s.lossSum += o.lossSum
	s.n += o.n
	if s.topk != nil {
		s.topk.Merge(o.topk)
	} else {
		s.cm.Merge(o.cm)
	}
}

// record fills r's loss and accuracy fields; what was not measured stays
// NaN.
func (s *scores) record(r *Record) {
	r.Loss = s.lossSum / float64(s.n)
	if s.topk != nil {
		r.Top1 = s.topk.Accuracy(0)
		if len(s.topk.Ks) > 1 {
			r.Top5 = s.topk.Accuracy(1)
		}
		return
	}
	r.MIoU = s.cm.MeanIoU()
	r.PixelAcc = s.cm.PixelAccuracy()
}

// batchTensors copies a batch to dev: images (N, H, W, C) and labels (N)
// or masks (N, H, W).
func batchTensors(dev *autograd.Device, b *data.Batch) (x, labels *autograd.Tensor) {
	x = autograd.FromFloat32s(dev, b.Images.Data().([]float32), b.Images.Shape()...)
	if b.Masks != nil {
		return x, autograd.FromInt32s(dev, b.Masks.Data().([]int32), b.Masks.Shape()...)
	}
	return x, autograd.FromInt32s(dev, b.Labels, len(b.Labels))
}

// lossOf returns the model's logits for b and their cross-entropy; mask
// pixels labelled data.Ignore count in neither.
func lossOf(r *replica, b *data.Batch, smoothing float64) (logits, loss *autograd.Tensor) {
	x, labels := batchTensors(r.dev, b)
	logits = r.model.Forward(x)
	loss = autograd.SoftmaxCrossEntropy(logits, labels, autograd.CrossEntropyOptions{
		LabelSmoothing: float32(smoothing), IgnoreIndex: data.Ignore, HasIgnore: b.Masks != nil})
	return logits, loss
}

// evaluate runs the model over the validation loader in evaluation mode,
// the batches dealt round-robin to the replicas, and fills a val Record.
// Label smoothing is left out of the validation loss, as torchvision does.
func (t *trainer) evaluate(r *Record) error {
	for _, rep := range t.reps {
		nn.SetTraining(rep.model, false)
	}
	broadcastBuffers(t.reps)
	per := make([]*scores, len(t.reps))
	for i := range per {
		per[i] = newScores(t.data.classes, t.data.segmentation)
	}
	ep := t.valLoader.Epoch(0)
	defer ep.Close()
	total := (t.valLoader.Batches() + len(t.reps) - 1) / len(t.reps)
	t.progress.Begin(t.epoch, total, "val")
	for step := 1; ; step++ {
		batches, err := nextBatches(ep, len(t.reps))
		if err != nil && !errors.Is(err, io.EOF) {
			release(batches)
			return err
		}
		if len(batches) == 0 {
			break
		}
		losses := make([]float64, len(batches))
		err = onEach(t.reps[:len(batches)], func(i int, rep *replica) error {
			defer rep.dev.NoGrad()()
			logits, loss := lossOf(rep, batches[i], 0)
			losses[i] = float64(loss.Item())
			per[i].add(logits, losses[i], batches[i])
			return nil
		})
		images := release(batches)
		if err != nil {
			return err
		}
		t.progress.Step(min(step, total), images, mean(losses), t.reps[0].opt.LR())
		if len(batches) < len(t.reps) {
			break
		}
	}
	t.progress.End()
	for _, s := range per[1:] {
		per[0].merge(s)
	}
	per[0].record(r)
	return nil
}

// release returns the batches to their loader and counts their examples.
func release(batches []*data.Batch) (images int) {
	for _, b := range batches {
		images += b.Len()
		b.Release()
	}
	return images
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// nextBatches returns up to n batches from ep, fewer at its end, with the
// error that ended it (io.EOF at the end).
func nextBatches(ep *data.Epoch, n int) ([]*data.Batch, error) {
	var bs []*data.Batch
	for range n {
		b, err := ep.Next()
		if err != nil {
			return bs, err
		}
		bs = append(bs, b)
	}
	return bs, nil
}
