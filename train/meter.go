package train

import "github.com/gocnn/gocnn/autograd"

// meter gathers a step's results on the device, where they are computed,
// so that the loop reads them back with one copy after the step has been
// queued: the mean loss and, for classification, the top-k hit counts
// (Backend.TopKCounts). Between forward and backward nothing waits for
// the device.
type meter struct {
	dev  *autograd.Device
	k    int              // hit counts per step (the largest top-k); 0 for none
	hits *autograd.Tensor // (k)
	out  *autograd.Tensor // (1+k): the loss, then hits
}

// newMeter returns a meter on dev counting hits for top-1 to top-k (k = 0:
// only the loss). Its tensors live as long as the run.
func newMeter(dev *autograd.Device, k int) *meter {
	m := &meter{dev: dev, k: k, out: autograd.Empty(dev, autograd.Float32, 1+k).Keep()}
	if k > 0 {
		m.hits = autograd.Empty(dev, autograd.Float32, k).Keep()
	}
	return m
}

// record queues the gathering of a step's loss (one element) and, when the
// meter counts hits, of the hits of logits (N, classes) against labels (N).
func (m *meter) record(logits, labels, loss *autograd.Tensor) {
	be := m.dev.Backend()
	stride := 1 + m.k
	be.CopyColumns(1, 1, loss.Buffer(), 1, 0, m.out.Buffer(), stride, 0)
	if m.k == 0 {
		return
	}
	rows, classes := logits.Shape().Rows()
	be.TopKCounts(rows, classes, logits.Buffer(), labels.Buffer(), m.hits.Buffer())
	be.CopyColumns(1, m.k, m.hits.Buffer(), m.k, 0, m.out.Buffer(), stride, 1)
}

// read waits for the step and returns its loss and hit counts (hits[j]:
// rows whose label is among the j+1 best logits).
func (m *meter) read() (loss float64, hits []float32) {
	v := m.out.Float32s()
	return float64(v[0]), v[1:]
}

// close releases the meter's tensors.
func (m *meter) close() {
	m.out.Release()
	m.hits.Release()
}
