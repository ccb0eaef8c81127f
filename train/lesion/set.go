package lesion

import (
	"errors"
	"fmt"
	"io"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/internal/argmax"
	"github.com/gocnn/gocnn/nn"
)

// Set is a labelled image split held in memory in batches, normalised as
// the model saw it in training. The study evaluates one model hundreds of
// times; decoding once makes each evaluation a pure forward pass.
type Set struct {
	images [][]float32 // per batch: (N, H, W, C)
	labels [][]int32   // per batch: (N)
	shape  [3]int      // H, W, C
}

// LoadSet reads the first limit examples of ds (all when limit <= 0) in
// batches of batch through transforms, which should be those the model was
// evaluated with in training, its normalisation last.
func LoadSet(ds data.Dataset, transforms []data.Transform, batch, limit int) (*Set, error) {
	if limit > 0 && limit < ds.Len() {
		ds = firstN{ds, limit}
	}
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: batch, Transforms: transforms})
	if err != nil {
		return nil, fmt.Errorf("lesion: %w", err)
	}
	s := &Set{}
	_, s.shape[0], s.shape[1], s.shape[2] = l.Shape()
	ep := l.Epoch(0)
	defer ep.Close()
	for {
		b, err := ep.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("lesion: %w", err)
		}
		s.images = append(s.images, append([]float32(nil), b.Images.Data().([]float32)...))
		s.labels = append(s.labels, append([]int32(nil), b.Labels...))
		b.Release()
	}
	if len(s.images) == 0 {
		return nil, fmt.Errorf("lesion: the dataset is empty")
	}
	return s, nil
}

// firstN is the first n examples of a dataset.
type firstN struct {
	data.Dataset
	n int
}

func (f firstN) Len() int { return f.n }

// Len returns the number of examples.
func (s *Set) Len() int {
	n := 0
	for _, l := range s.labels {
		n += len(l)
	}
	return n
}

// Batches returns the number of batches.
func (s *Set) Batches() int { return len(s.labels) }

// batch returns batch i on dev: images (N, H, W, C) and labels (N).
func (s *Set) batch(dev *autograd.Device, i int) (x, labels *autograd.Tensor) {
	n := len(s.labels[i])
	x = autograd.FromFloat32s(dev, s.images[i], n, s.shape[0], s.shape[1], s.shape[2])
	return x, autograd.FromInt32s(dev, s.labels[i], n)
}

// Evaluate returns m's top-1 error on s, in evaluation mode, with m on
// dev.
func Evaluate(m nn.Module, dev *autograd.Device, s *Set) float64 {
	nn.SetTraining(m, false)
	defer dev.NoGrad()()
	wrong := 0
	for i := range s.labels {
		wrong += s.misclassified(m, dev, i)
	}
	return float64(wrong) / float64(s.Len())
}

// misclassified returns how many of batch i's examples m misclassifies; the
// batch's tensors are released before it returns.
func (s *Set) misclassified(m nn.Module, dev *autograd.Device, i int) int {
	defer dev.Scope().Close()
	x, _ := s.batch(dev, i)
	logits := m.Forward(x)
	pred := argmax.Rows(logits.Float32s(), logits.Shape()[1])
	wrong := 0
	for r, label := range s.labels[i] {
		if pred[r] != label {
			wrong++
		}
	}
	return wrong
}
