package train

import (
	"cmp"
	"context"
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
	case classes > 5: // top-5 of 5 classes is always right
		s.topk = NewTopK(1, 5)
	default:
		s.topk = NewTopK(1)
	}
	return s
}

// hitRanks returns how many top-k hit counts add expects per batch: the
// largest k, or 0 for segmentation.
func (s *scores) hitRanks() int {
	if s.topk == nil {
		return 0
	}
	return s.topk.MaxK()
}

// add counts a batch of n examples with its mean loss and, for
// classification, its top-k hit counts (see TopK.AddHits).
func (s *scores) add(loss float64, n int, hits []float32) {
	s.lossSum += loss * float64(n)
	s.n += n
	if s.topk != nil {
		s.topk.AddHits(hits, n)
	}
}

// addPixels counts a segmentation batch's pixels into the confusion
// matrix, reading its logits (N, H, W, classes) and masks (N, H, W) back
// from the device.
func (s *scores) addPixels(logits, masks *autograd.Tensor) {
	shape := logits.Shape()
	s.cm.Add(masks.Int32s(), argmax.Rows(logits.Float32s(), shape[len(shape)-1]))
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
	r.IoU = s.cm.IoU()
	r.PixelAcc = s.cm.PixelAccuracy()
}

// lossOf returns the model's logits for images and their cross-entropy
// against targets, labels (N) or masks (N, H, W) whose pixels labelled
// data.Ignore count in neither.
func lossOf(r *replica, images, targets *autograd.Tensor, smoothing float64) (logits, loss *autograd.Tensor) {
	logits = autograd.ToFloat32(r.model.Forward(images)) // the meters read its buffer
	return logits, crossEntropy(logits, targets, smoothing)
}

// crossEntropy returns the mean cross-entropy of logits against targets,
// with label smoothing; see lossOf.
func crossEntropy(logits, targets *autograd.Tensor, smoothing float64) *autograd.Tensor {
	return autograd.SoftmaxCrossEntropy(logits, targets, autograd.CrossEntropyOptions{
		LabelSmoothing: float32(smoothing), IgnoreIndex: data.Ignore, HasIgnore: len(targets.Shape()) > 1})
}

// evaluate runs the model over the validation loader in evaluation mode,
// the batches dealt round-robin to the replicas, and fills a val Record of
// epoch r.Epoch. Label smoothing is left out of the validation loss, as
// torchvision does. It stops with ctx's error when ctx is cancelled.
func (t *trainer) evaluate(ctx context.Context, r *Record) error {
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
	t.progress.Begin(r.Epoch, total, "val")
	for step := 1; ; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		fed, images, err := t.feed(ep, t.valIn)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if fed == 0 {
			break
		}
		losses := make([]float64, fed)
		err = onEach(t.reps[:fed], func(i int, rep *replica) error {
			defer rep.noGrad()()
			defer rep.scope()()
			x, targets := t.valIn[i].take()
			logits, loss := lossOf(rep, x, targets, 0)
			t.meters[i].record(logits, targets, loss)
			if per[i].cm != nil {
				per[i].addPixels(logits, targets)
			}
			var hits []float32
			losses[i], hits = t.meters[i].read()
			per[i].add(losses[i], targets.Shape()[0], hits)
			return nil
		})
		if err != nil {
			return err
		}
		t.progress.Step(min(step, total), images, mean(losses), t.reps[0].opt.LR())
		if fed < len(t.reps) {
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

// feed hands the next batch of ep to each replica's feeder of in, fewer
// at the end of ep, and returns how many it fed and their images, with the
// error that ended ep (io.EOF at its end). On any other error it feeds
// none.
func (t *trainer) feed(ep *data.Epoch, in []feeder) (fed, images int, err error) {
	batches, err := nextBatches(ep, len(in))
	if err != nil && !errors.Is(err, io.EOF) {
		for _, b := range batches {
			b.Release()
		}
		return 0, 0, err
	}
	for _, b := range batches {
		images += b.Len()
	}
	perr := onEach(t.reps[:len(batches)], func(i int, _ *replica) error {
		in[i].put(batches[i])
		return nil
	})
	return len(batches), images, cmp.Or(perr, err)
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
