//go:build cuda

package cuda

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// TestBatchNormReLUAgainstCPU runs batch norm fused with a residual add
// and ReLU (training and running statistics, forward and backward with
// the masked residual gradient) on both backends, the GPU's outputs
// poisoned, at sizes that split the column sums over several bands (4096
// rows) and at an odd channel count.
func TestBatchNormReLUAgainstCPU(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 19))
	host := cpu.New(0)
	for _, p := range []autograd.NormParams{{M: 4096, C: 64, Eps: 1e-5, ReLU: true}, {M: 300, C: 37, Eps: 1e-5, ReLU: true}} {
		for _, training := range []bool{true, false} {
			name := fmt.Sprintf("M=%d C=%d training=%v", p.M, p.C, training)
			mc := p.M * p.C
			x, res, dy := randn(rng, mc), randn(rng, mc), randn(rng, mc)
			gamma, beta, runMean, runVar := randn(rng, p.C), randn(rng, p.C), randn(rng, p.C), randn(rng, p.C)
			for j := range runVar {
				runVar[j] = 0.5 + runVar[j]*runVar[j]
			}
			run := func(be autograd.Backend, alloc func(int) autograd.Buffer) [][]float32 {
				var bufs []autograd.Buffer
				keep := func(b autograd.Buffer) autograd.Buffer { bufs = append(bufs, b); return b }
				in := func(v []float32) autograd.Buffer { return keep(upload(t, be, v)) }
				out := func(n int) autograd.Buffer { return keep(alloc(n)) }
				bx, bres, bdy, bg, bb, brm, brv := in(x), in(res), in(dy), in(gamma), in(beta), in(runMean), in(runVar)
				y, mean, inv := out(mc), out(p.C), out(p.C)
				if training {
					be.BatchNormTrain(p, bx, bg, bb, bres, y, mean, inv)
				} else {
					be.Copy(mean, brm)
					be.RunningInvStd(p, brv, inv)
					be.BatchNormInfer(p, bx, bg, bb, brm, brv, bres, y)
				}
				dx, dg, db, dres := out(mc), out(p.C), out(p.C), out(mc)
				be.BatchNormBackward(p, training, bx, y, bdy, bg, mean, inv, dx, dg, db, dres)
				var results [][]float32
				for _, b := range []autograd.Buffer{y, mean, inv, dx, dg, db, dres} {
					results = append(results, download(be, b))
				}
				for _, b := range bufs {
					be.Free(b)
				}
				return results
			}
			want := run(host, func(n int) autograd.Buffer { return host.Alloc(autograd.Float32, n) })
			got := run(gpu, poisoned)
			for i, what := range []string{"y", "mean", "invStd", "dx", "dgamma", "dbeta", "dresidual"} {
				red := 1
				if what == "dgamma" || what == "dbeta" || what == "dx" {
					red = p.M // sums over the rows
				}
				closeTo(t, name+" "+what, got[i], want[i], red)
			}
		}
	}
}
