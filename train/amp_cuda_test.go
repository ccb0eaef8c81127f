//go:build cuda

package train

import (
	"io"
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// TestBF16OnGPUMatchesCPU trains ResNet-20 (the default run's model) a
// few SGD steps on one batch of the embedded Fashion-MNIST sample with
// -amp bf16 on the GPU (the tensor-core kernels; under the stand-in in
// CI), with -amp bf16 on the CPU reference and in fp32 on the CPU, from
// the same initial weights. The GPU's replica must compute its
// convolutions in bf16 (results are bf16 values), its loss on the batch
// must fall, and at every step its logits must lie within twice the fp32
// run's distance of the CPU's bf16 logits (Euclidean distance over the
// batch). The bound: each bf16 run is the fp32 run plus bf16 rounding
// noise, so by the triangle inequality |gpu-cpu| <= |gpu-fp32| +
// |fp32-cpu|, and the GPU's noise, |gpu-fp32|, is of the CPU's size when
// the GPU has the reference numerics. It is not smaller: the kernels
// themselves agree on all but a few elements in 10^4 (one bf16 unit,
// where the fp32 sums straddle a rounding boundary), but any difference
// between the runs, down to fp32's last bits in batch norm, flips bf16
// roundings in the next layer's operands, and within a few layers the two
// runs differ by bf16 noise as the fp32 run does. A single loss is no
// measure of it (the fp32 loss can fall close to the bf16 one by
// cancellation); the batch's logits are.
func TestBF16OnGPUMatchesCPU(t *testing.T) { testAMPOnGPUMatchesCPU(t, "bf16") }

// TestTF32OnGPUMatchesCPU is TestBF16OnGPUMatchesCPU with -amp tf32 (the
// same argument, with tf32's rounding noise).
func TestTF32OnGPUMatchesCPU(t *testing.T) { testAMPOnGPUMatchesCPU(t, "tf32") }

// testAMPOnGPUMatchesCPU runs TestBF16OnGPUMatchesCPU's check with -amp amp.
func testAMPOnGPUMatchesCPU(t *testing.T, amp string) {
	const steps, lr = 3, 0.02
	gpuLoss, gpu := batchLosses(t, amp, []int{0}, steps, lr)
	ampLoss, ref := batchLosses(t, amp, nil, steps, lr)
	fp32Loss, fp32 := batchLosses(t, "fp32", nil, steps, lr)
	t.Logf("losses: GPU %s %.6f, CPU %s %.6f, CPU fp32 %.6f", amp, gpuLoss, amp, ampLoss, fp32Loss)
	if !(gpuLoss[steps] < gpuLoss[0]) {
		t.Errorf("GPU %s: loss %.6f after %d steps, not below the first %.6f", amp, gpuLoss[steps], steps, gpuLoss[0])
	}
	for i := range gpu {
		apart, noise := distance(gpu[i], ref[i]), distance(fp32[i], ref[i])
		t.Logf("step %d: logits GPU %s to CPU %s %.4g, CPU fp32 to CPU %s %.4g", i, amp, amp, apart, amp, noise)
		if !(apart <= 2*noise) {
			t.Errorf("step %d: GPU %s logits %.4g from the CPU's %s ones, more than twice fp32's %.4g", i, amp, apart, amp, noise)
		}
	}
}

// distance returns the Euclidean distance between a and b.
func distance(a, b []float32) float64 {
	sum := 0.0
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		sum += d * d
	}
	return math.Sqrt(sum)
}

// batchLosses builds the default run's trainer with -amp amp on gpus (the
// CPU when none) and returns the loss and the logits on its first
// training batch before each of steps SGD steps on that batch at learning
// rate lr, and after the last, batch norm in training mode.
func batchLosses(t *testing.T, amp string, gpus []int, steps int, lr float64) (losses []float64, logits [][]float32) {
	t.Helper()
	cfg := tinyConfig(t, 8)
	cfg.AMP, cfg.GPUs, cfg.Output = amp, gpus, ""
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := tr.close(); err != nil {
			t.Error(err)
		}
	}()
	ep := tr.trainLoader.Epoch(0)
	defer ep.Close()
	if _, _, err := tr.feed(ep, tr.trainIn); err != nil {
		t.Fatal(err)
	}
	r := tr.reps[0]
	p, err := autograd.ParsePrecision(amp)
	if err != nil {
		t.Fatal(err)
	}
	cx := autograd.FromFloat32s(r.dev, []float32{1.2345678, -2.3456789, 3.4567891, 0.1234567}, 1, 2, 2, 1)
	cw := autograd.FromFloat32s(r.dev, []float32{1.0001, 0.5001, -0.7501, 0.3333}, 1, 2, 2, 1)
	if y := autograd.Conv2D(cx, cw, autograd.Conv2DOptions{}).Float32s()[0]; p.Round(y) != y {
		t.Fatalf("-amp %s on %s: convolution %v, not a %v value", amp, r.dev.Name(), y, p)
	}
	nn.SetTraining(r.model, true)
	x, targets := tr.trainIn[0].take()
	for step := 0; step <= steps; step++ {
		r.opt.SetLR(lr)
		r.opt.ZeroGrad()
		func() {
			defer r.scope()()
			out := r.model.Forward(x)
			loss := crossEntropy(out, targets, 0)
			losses = append(losses, float64(loss.Item()))
			logits = append(logits, out.Float32s())
			if step < steps {
				loss.Backward()
			}
		}()
		if step < steps {
			if err := finishStep(tr.reps, 1, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	return losses, logits
}
