package cpu

import "github.com/gocnn/gocnn/autograd"

// DropoutMask sets mask[i] to 0 when autograd.DropoutUniform(seed, i) < p and
// to 1/(1-p) otherwise, the draw every backend shares.
func (b *Backend) DropoutMask(p float32, seed uint64, mask autograd.Buffer) {
	mv := floats(mask)
	keep := 1 / (1 - p)
	b.parallelFor(len(mv), elementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if autograd.DropoutUniform(seed, i) < p {
				mv[i] = 0
			} else {
				mv[i] = keep
			}
		}
	})
}
