package train

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// objective is a run's training loss: the cross-entropy of the model's
// logits with -label-smoothing, plus each auxiliary classifier's at its
// weight with -aux-logits, and against mixed targets on a batch that
// -mixup-alpha or -cutmix-alpha mixed.
type objective struct {
	smoothing float64
	auxWeight float32 // 0: the auxiliary classifiers are not trained
	mixer     batchMixer
}

// newObjective returns cfg's training loss.
func newObjective(cfg *Config) (objective, error) {
	o := objective{smoothing: cfg.LabelSmoothing, mixer: newBatchMixer(cfg)}
	if cfg.AuxLogits {
		spec, err := models.Lookup(cfg.Model)
		if err != nil {
			return o, err
		}
		o.auxWeight = spec.AuxLossWeight()
	}
	return o, nil
}

// loss runs model on images mixed as d says and returns its training loss
// against targets, and the logits to score against targets: on a mixed
// batch, those of the label with the larger share, as torchvision's
// accuracy takes the mixed target's largest entry.
func (o objective) loss(model nn.Module, images, targets *autograd.Tensor, d mixDraw) (scored, loss *autograd.Tensor) {
	var logits *autograd.Tensor
	var aux []*autograd.Tensor
	if m, ok := model.(models.AuxClassifier); ok && o.auxWeight > 0 {
		logits, aux = m.ForwardAux(d.apply(images))
	} else {
		logits = model.Forward(d.apply(images))
	}
	logits = autograd.ToFloat32(logits) // the meters read its buffer
	loss = o.mixedCrossEntropy(logits, targets, d)
	for _, a := range aux {
		loss = autograd.Add(loss, autograd.Scale(o.mixedCrossEntropy(a, targets, d), o.auxWeight))
	}
	scored = logits
	if d.lam < 0.5 {
		scored = autograd.RollBatch(logits, -1) // example i's logits against label i-1
	}
	return scored, loss
}

// mixedCrossEntropy returns the cross-entropy of logits against the
// targets d mixes: lam of each example's label and 1-lam of the previous
// example's. The soft-target cross-entropy is linear in the target, label
// smoothing included, so it is lam times that against the labels plus
// 1-lam times that of each example's logits against the previous label,
// which is that of the logits rolled back by one against the labels: no
// (N, classes) target is ever made.
func (o objective) mixedCrossEntropy(logits, targets *autograd.Tensor, d mixDraw) *autograd.Tensor {
	own := crossEntropy(logits, targets, o.smoothing)
	if !d.mixed() {
		return own
	}
	previous := crossEntropy(autograd.RollBatch(logits, -1), targets, o.smoothing)
	lam := float32(d.lam)
	return autograd.Add(autograd.Scale(own, lam), autograd.Scale(previous, 1-lam))
}
