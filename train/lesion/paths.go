package lesion

import (
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// PathCounts returns the number of paths of each length 0..n through n
// residual blocks: a path goes through the branch or the skip of every
// block, so there are (n choose k) of length k, 2^n in all, and a random
// path's length is Binomial(n, 1/2) (Veit et al. 2016, Figure 6a). The
// counts are exact.
func PathCounts(n int) []*big.Int {
	counts := make([]*big.Int, n+1)
	for k := range counts {
		counts[k] = new(big.Int).Binomial(int64(n), int64(k))
	}
	return counts
}

// PathRow is the gradient that reaches the input along paths of one
// length.
type PathRow struct {
	Length  int
	Samples int
	// Mean and Std are over samples of the per-example L2 norm of the
	// gradient of the cross-entropy with respect to the input image,
	// averaged over each sample's batch.
	Mean, Std float64
}

// PathGradients measures the gradient magnitude at the input of m along
// paths of each of the given lengths (Veit et al. 2016, section 6 and
// Figure 6b). A sample takes a random batch of s and a random set of
// length residual blocks, runs the forward pass in full (evaluation mode),
// and sends the backward pass through the branch of those blocks and the
// skip of all others, so that only the single path of that length carries
// gradient. It panics when a length is out of [0, len(m.Blocks())] or m's
// blocks include plain layers. Every block runs normally afterwards, with
// no gradients left on m's parameters.
func PathGradients(m models.Lesionable, dev *autograd.Device, s *Set, lengths []int, samples int, rng *rand.Rand) []PathRow {
	n := len(m.Blocks())
	nn.SetTraining(m, false)
	defer func() {
		for i := range n {
			m.SetMode(i, models.BlockNormal)
		}
		nn.ZeroGrad(m)
	}()
	var rows []PathRow
	for _, k := range lengths {
		if k < 0 || k > n {
			panic("lesion: PathGradients: a path length outside [0, blocks]")
		}
		norms := make([]float64, samples)
		for j := range norms {
			perm := rng.Perm(n)
			for rank, i := range perm {
				if rank < k {
					m.SetMode(i, models.BlockBranchGrad)
				} else {
					m.SetMode(i, models.BlockSkipGrad)
				}
			}
			norms[j] = inputGradNorm(m, dev, s, rng.IntN(s.Batches()))
		}
		mean, std := meanStd(norms)
		rows = append(rows, PathRow{Length: k, Samples: samples, Mean: mean, Std: std})
	}
	return rows
}

// inputGradNorm returns the mean over batch b's examples of the L2 norm of
// the gradient of each example's loss with respect to its input image.
func inputGradNorm(m nn.Module, dev *autograd.Device, s *Set, b int) float64 {
	defer dev.Scope().Close()
	x, labels := s.batch(dev, b)
	x.SetRequiresGrad(true)
	loss := autograd.SoftmaxCrossEntropy(m.Forward(x), labels, autograd.CrossEntropyOptions{})
	loss.Backward()
	nn.ZeroGrad(m)
	g := x.Grad().Float32s()
	rows := len(s.labels[b])
	per := len(g) / rows
	sum := 0.0
	for r := range rows {
		sq := 0.0
		for _, v := range g[r*per : (r+1)*per] {
			sq += float64(v) * float64(v)
		}
		sum += math.Sqrt(sq)
	}
	// The loss is the batch mean, so each example's own gradient is rows
	// times the part of the mean's gradient that reaches its image.
	return sum
}

// meanStd returns the mean and the sample standard deviation of xs (0 for
// a single value).
func meanStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)-1))
}
