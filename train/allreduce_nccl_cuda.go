//go:build cuda

package train

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cuda"
	"github.com/gocnn/gocnn/nn"
)

// ncclReducer averages one rank's gradients with every other rank's
// through NCCL, one group of all-reduces per bucket (see gradBuckets).
// Each rank's goroutine calls allReduce after its backward pass; the
// reductions are queued on the rank's stream behind the backward kernels,
// so the host does not wait for them.
type ncclReducer struct {
	comm    *cuda.Comm
	params  []nn.Named
	buckets [][]int
}

// newNCCLReducer returns the reducer of one rank's params over comm.
func newNCCLReducer(comm *cuda.Comm, params []nn.Named) *ncclReducer {
	return &ncclReducer{comm: comm, params: params, buckets: gradBuckets(params, bucketBytes/4)}
}

// allReduce replaces every gradient by its mean over the ranks. A
// parameter the step did not reach gets a zero gradient first, since every
// rank must reduce the same buffers in the same order (DDP's
// find_unused_parameters does the same).
func (r *ncclReducer) allReduce() error {
	for _, bucket := range r.buckets {
		bufs := make([]autograd.Buffer, len(bucket))
		for j, i := range bucket {
			p := r.params[i].Tensor
			if p.Grad() == nil {
				p.SetGrad(autograd.Zeros(p.Device(), p.Shape()...))
			}
			bufs[j] = p.Grad().Buffer()
		}
		if err := r.comm.AllReduceMean(bufs...); err != nil {
			return err
		}
	}
	return nil
}
