package autograd_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// TestSyncBatchNormMatchesWholeBatch checks SyncBatchNorm over two CPU
// devices against BatchNorm on one device holding both batches: the
// output, the running statistics, x's gradient and the sum of the
// devices' gamma and beta gradients. The input has a mean of 5 and a
// standard deviation of 3 per channel, shifted differently on each device,
// so that statistics of either half alone are far from the whole's.
//
// They agree to float32 rounding (|d| <= 1e-5*(1+|want|)): the sums run
// in another order and the variance in two passes where BatchNormTrain
// makes one.
func TestSyncBatchNormMatchesWholeBatch(t *testing.T) {
	const n, h, w, c = 2, 3, 3, 4
	rng := rand.New(rand.NewPCG(7, 8))
	half := n * h * w * c
	x := make([]float32, 2*half)
	dy := make([]float32, 2*half)
	for i := range x {
		x[i] = 5 + 3*float32(rng.NormFloat64()) + float32(2*(i/half))
		dy[i] = float32(rng.NormFloat64())
	}
	gammaV, betaV := []float32{1, 0.5, -2, 3}, []float32{0, 1, -1, 0.25}
	type result struct{ y, dx, dgamma, dbeta, runMean, runVar []float32 }
	runOn := func(dev *autograd.Device, xs, dys []float32, rows int, norm func(x, g, b, rm, rv *autograd.Tensor) *autograd.Tensor) result {
		xt := autograd.FromFloat32s(dev, xs, rows, h, w, c).SetRequiresGrad(true)
		g := autograd.FromFloat32s(dev, gammaV, c).SetRequiresGrad(true)
		b := autograd.FromFloat32s(dev, betaV, c).SetRequiresGrad(true)
		rm, rv := autograd.Zeros(dev, c), autograd.Full(dev, 1, c)
		y := norm(xt, g, b, rm, rv)
		out := result{y: y.Float32s(), runMean: rm.Float32s(), runVar: rv.Float32s()}
		y.BackwardWith(autograd.FromFloat32s(dev, dys, y.Shape()...))
		out.dx, out.dgamma, out.dbeta = xt.Grad().Float32s(), g.Grad().Float32s(), b.Grad().Float32s()
		return out
	}
	opt := autograd.BatchNormOptions{Training: true, Momentum: 0.1}
	want := runOn(autograd.NewDevice(cpu.New(1)), x, dy, 2*n, func(x, g, b, rm, rv *autograd.Tensor) *autograd.Tensor {
		return autograd.BatchNorm(x, g, b, rm, rv, opt)
	})
	devs := []*autograd.Device{autograd.NewDevice(cpu.New(1)), autograd.NewDevice(cpu.New(1))}
	sums := autograd.HostChannelSums(devs)
	got := make([]result, 2)
	var wg sync.WaitGroup
	for i, dev := range devs {
		wg.Go(func() {
			got[i] = runOn(dev, x[i*half:(i+1)*half], dy[i*half:(i+1)*half], n, func(x, g, b, rm, rv *autograd.Tensor) *autograd.Tensor {
				return autograd.SyncBatchNorm(x, g, b, rm, rv, opt, 2, sums[i])
			})
		})
	}
	wg.Wait()
	close := func(what string, got, want []float32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-5*(1+math.Abs(float64(want[i])))) {
				t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	for i, g := range got {
		close(fmt.Sprintf("device %d y", i), g.y, want.y[i*half:(i+1)*half])
		close(fmt.Sprintf("device %d dx", i), g.dx, want.dx[i*half:(i+1)*half])
		close(fmt.Sprintf("device %d running mean", i), g.runMean, want.runMean)
		close(fmt.Sprintf("device %d running var", i), g.runVar, want.runVar)
	}
	for _, p := range []struct {
		name       string
		got0, got1 []float32
		want       []float32
	}{{"dgamma", got[0].dgamma, got[1].dgamma, want.dgamma}, {"dbeta", got[0].dbeta, got[1].dbeta, want.dbeta}} {
		s := make([]float32, c)
		for j := range s {
			s[j] = p.got0[j] + p.got1[j]
		}
		close(p.name+" summed over the devices", s, p.want)
	}
}

// TestSyncBatchNormOneDevice checks that SyncBatchNorm over one device is
// BatchNorm.
func TestSyncBatchNormOneDevice(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	rng := rand.New(rand.NewPCG(1, 1))
	x, dy := make([]float32, 6*5), make([]float32, 6*5)
	for i := range x {
		x[i], dy[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	opt := autograd.BatchNormOptions{Training: true}
	outs := make([][]float32, 2)
	for k := range outs {
		xt := autograd.FromFloat32s(dev, x, 6, 5).SetRequiresGrad(true)
		g, b := autograd.Full(dev, 2, 5), autograd.Full(dev, 1, 5)
		rm, rv := autograd.Zeros(dev, 5), autograd.Full(dev, 1, 5)
		var y *autograd.Tensor
		if k == 0 {
			y = autograd.BatchNorm(xt, g, b, rm, rv, opt)
		} else {
			y = autograd.SyncBatchNorm(xt, g, b, rm, rv, opt, 1, func(autograd.Buffer) {})
		}
		out := y.Float32s()
		y.BackwardWith(autograd.FromFloat32s(dev, dy, 6, 5))
		outs[k] = append(out, xt.Grad().Float32s()...)
	}
	for i := range outs[0] {
		if d := math.Abs(float64(outs[1][i] - outs[0][i])); d > 1e-5*(1+math.Abs(float64(outs[0][i]))) {
			t.Fatalf("value %d: %v, BatchNorm %v", i, outs[1][i], outs[0][i])
		}
	}
}
