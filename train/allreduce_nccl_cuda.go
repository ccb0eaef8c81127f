//go:build cuda

package train

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cuda"
	"github.com/gocnn/gocnn/nn"
)

// ncclReducer averages one rank's gradients with every other rank's
// through NCCL as PyTorch's DDP does: the parameters are grouped in
// buckets (see gradBuckets), and a bucket's all-reduce is queued as soon
// as the backward pass has completed its last gradient (autograd's
// gradient-ready hook), on the communicator's stream, so that it runs
// while the backward pass goes on computing the earlier layers' gradients.
// Buckets are queued in order, a ready bucket waiting for the ones before
// it, so that every rank queues the same collectives in the same order.
// No gradient leaves the device.
type ncclReducer struct {
	comm    *cuda.Comm
	params  []nn.Named
	buckets [][]int
	left    []int // per bucket: its gradients the pass has not completed
	next    int   // the first bucket not queued this step
	err     error // the first error queueing a bucket this step
	// deferred makes the backward passes only add to the gradients, the
	// buckets queued by the first pass after it is cleared (see
	// commGroup.deferAverage).
	deferred bool
}

// newNCCLReducer returns the reducer of one rank's params over comm and
// hooks it to their gradients.
func newNCCLReducer(comm *cuda.Comm, params []nn.Named) *ncclReducer {
	r := &ncclReducer{comm: comm, params: params, buckets: gradBuckets(params, bucketBytes/4)}
	r.left = make([]int, len(r.buckets))
	for b, bucket := range r.buckets {
		for _, i := range bucket {
			params[i].Tensor.OnGradReady(func(*autograd.Tensor) { r.ready(b) })
		}
	}
	r.reset()
	return r
}

// reset starts a step: no bucket queued, every gradient outstanding.
func (r *ncclReducer) reset() {
	for b, bucket := range r.buckets {
		r.left[b] = len(bucket)
	}
	r.next, r.err = 0, nil
}

// ready counts one completed gradient of bucket b and queues the buckets
// that are complete, in order; a deferred pass's are not counted.
func (r *ncclReducer) ready(b int) {
	if r.deferred {
		return
	}
	r.left[b]--
	for r.next < len(r.buckets) && r.left[r.next] <= 0 {
		r.queue(r.next)
		r.next++
	}
}

// queue queues bucket b's all-reduce. A parameter the step did not reach
// gets a zero gradient first, since every rank must reduce the same
// buffers in the same order (DDP's find_unused_parameters does the same).
func (r *ncclReducer) queue(b int) {
	bufs := make([]autograd.Buffer, len(r.buckets[b]))
	for j, i := range r.buckets[b] {
		p := r.params[i].Tensor
		if p.Grad() == nil {
			p.SetGrad(autograd.Zeros(p.Device(), p.Shape()...))
		}
		bufs[j] = p.Grad().Buffer()
	}
	if err := r.comm.AllReduceMean(bufs...); err != nil && r.err == nil {
		r.err = err
	}
}

// finish ends the step's backward pass: it queues the buckets still
// outstanding (those holding parameters the pass did not reach), makes the
// work queued next on the rank's stream (the optimizer's step) wait for
// every all-reduce, and returns the first error queueing them.
func (r *ncclReducer) finish() error {
	for ; r.next < len(r.buckets); r.next++ {
		r.queue(r.next)
	}
	r.comm.Join()
	err := r.err
	r.reset()
	return err
}
