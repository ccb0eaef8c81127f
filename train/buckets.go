package train

import "github.com/gocnn/gocnn/nn"

// bucketBytes is the size of one all-reduce bucket: PyTorch DDP's
// bucket_cap_mb default, large enough to reach the link's bandwidth and
// small enough that the first bucket is ready early in the backward pass.
const bucketBytes = 25 << 20

// gradBuckets groups the indices of params into buckets of at most
// capElems elements, a parameter larger than that alone in its own, in
// reverse registration order: roughly the order in which the backward pass
// completes gradients, so that the first buckets can be reduced while the
// rest of the backward pass runs.
func gradBuckets(params []nn.Named, capElems int) [][]int {
	var buckets [][]int
	var cur []int
	size := 0
	for i := len(params) - 1; i >= 0; i-- {
		n := params[i].Tensor.Numel()
		if len(cur) > 0 && size+n > capElems {
			buckets = append(buckets, cur)
			cur, size = nil, 0
		}
		cur = append(cur, i)
		size += n
	}
	if len(cur) > 0 {
		buckets = append(buckets, cur)
	}
	return buckets
}
