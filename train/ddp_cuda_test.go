//go:build cuda

package train

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cuda"
	"github.com/gocnn/gocnn/nn"
	"gorgonia.org/cu"
)

// needDevices skips the test unless there are n devices: on the stand-in,
// GOCNN_SIM_DEVICES=4 gives every test here what it needs.
func needDevices(t *testing.T, n int) {
	t.Helper()
	if have, err := cu.NumDevices(); err != nil || have < n {
		t.Skipf("needs %d devices, have %d (GOCNN_SIM_DEVICES=%d on the stand-in)", n, have, n)
	}
}

// firstGPUs returns the ids 0..n-1.
func firstGPUs(n int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	return ids
}

// TestNCCLMatchesOneDevice checks that N GPUs at batch b, averaging their
// gradients through NCCL during the backward pass, take the same three
// steps as one GPU at batch N*b, batch norm in evaluation mode so that
// per-device batch statistics do not enter.
//
// The tolerance, 1e-5 + 1e-4*|w| per weight, allows for float32 rounding:
// one device sums the gradient over N*b images in its kernels' order, N
// devices over b each and NCCL adds the N means in rank order; after three
// steps the weights stay within 0.008 of the tolerance (two and four GPUs,
// measured on the stand-in). A gradient averaged wrongly (summed, left out of a bucket,
// reduced before backward finished writing it) moves weights by the
// order of the update itself, lr times the gradient, about 1e-3 here.
func TestNCCLMatchesOneDevice(t *testing.T) {
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprintf("gpus=%d", n), func(t *testing.T) {
			needDevices(t, n)
			const b = 2
			one := randomConfig(t, 32)
			one.Batch, one.GPUs = n*b, []int{0}
			many := one
			many.Batch, many.GPUs = b, firstGPUs(n)
			sameSteps(t, one, many, 3, true, within(t, 1e-5, 1e-4))
		})
	}
}

// TestNCCLSyncBNMatchesOneDevice checks that N GPUs with -sync-bn at
// batch b, their batch statistics summed through NCCL in forward and the
// two reductions of the backward too, take the same three steps as one GPU
// at batch N*b, batch norm in training mode, each step from one state and
// within TestSyncBNMatchesOneDevice's 5% of each tensor's norm: two GPUs
// once jumped to 3.4 times the elementwise rounding bound at one weight in
// a third drifting step (an activation crossing a ReLU's kink by a
// rounding difference); without -sync-bn they were 2400 times it after two.
func TestNCCLSyncBNMatchesOneDevice(t *testing.T) {
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprintf("gpus=%d", n), func(t *testing.T) {
			needDevices(t, n)
			const b = 2
			one := randomConfig(t, 32)
			one.Batch, one.GPUs = n*b, []int{0}
			many := one
			many.Batch, many.GPUs, many.Dist.SyncBN = b, firstGPUs(n), true
			sameSteps(t, one, many, 3, false, withinNorm(t, 0.05, 0.01))
		})
	}
}

// TestNCCLBroadcastsBuffers trains two GPUs in training mode, where each
// normalises its own batch and their running statistics drift apart, and
// checks that broadcastBuffers gives every replica rank 0's, bit for bit.
func TestNCCLBroadcastsBuffers(t *testing.T) {
	needDevices(t, 2)
	cfg := tinyConfig(t, 16)
	cfg.Batch, cfg.Output, cfg.GPUs = 4, "", []int{0, 1}
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	if tr.reps[0].group == nil {
		t.Fatal("two GPUs without an NCCL group")
	}
	ep := tr.trainLoader.Epoch(0)
	defer ep.Close()
	if _, _, err := tr.feed(ep, tr.trainIn); err != nil {
		t.Fatal(err)
	}
	if err := tr.queueStep(0.05); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.readStep([]*scores{newScores(10, false), newScores(10, false)}); err != nil {
		t.Fatal(err)
	}
	buffers := func(r *replica) [][]float32 {
		var vs [][]float32
		for _, b := range nn.Buffers(r.model) {
			if b.Tensor.DType() == autograd.Float32 {
				vs = append(vs, b.Tensor.Float32s())
			}
		}
		return vs
	}
	want := buffers(tr.reps[0])
	if sameFloats(buffers(tr.reps[1]), want) {
		t.Fatal("the replicas' running statistics agree before the broadcast: the test shows nothing")
	}
	broadcastBuffers(tr.reps)
	if err := onEach(tr.reps, func(int, *replica) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if !sameFloats(buffers(tr.reps[1]), want) {
		t.Error("replica 1's running statistics differ from replica 0's after the broadcast")
	}
}

// sameFloats reports whether a and b hold the same bits.
func sameFloats(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// TestNCCLMissingRankTimesOut runs a step on rank 0 of two GPUs only:
// rank 0's all-reduces wait for rank 1, which never arrives. The watchdog
// aborts the communicator after -dist-timeout, which ends rank 0's wait
// for its device, and the next onEach reports one line naming rank 1.
func TestNCCLMissingRankTimesOut(t *testing.T) {
	needDevices(t, 2)
	cfg := tinyConfig(t, 16)
	cfg.Batch, cfg.Output, cfg.GPUs = 4, "", []int{0, 1}
	cfg.Dist.Timeout = 300 * time.Millisecond
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	ep := tr.trainLoader.Epoch(0)
	defer ep.Close()
	if _, _, err := tr.feed(ep, tr.trainIn); err != nil {
		t.Fatal(err)
	}
	r := tr.reps[0]
	func() {
		defer r.dev.Scope().Close()
		x, targets := tr.trainIn[0].take()
		_, loss := lossOf(r, x, targets, 0)
		loss.Backward()
	}()
	if err := r.group.finishBackward(0); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.dev.Backend().(*cuda.Backend).Synchronize()
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("rank 0 still waits for rank 1 a minute later")
	}
	err = onEach(tr.reps, func(int, *replica) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "rank 1 did not arrive") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("after the timeout: %v; want one line naming rank 1", err)
	}
	t.Log(err)
}

// stepCounts trains cfg for an epoch of zooSteps steps on random images
// of side size and returns each GPU's stand-in counters over the
// steady-state steps (the third to the last but one), per step.
func stepCounts(t *testing.T, cfg Config, size int) []cuda.StandInCounters {
	t.Helper()
	n := len(cfg.GPUs) * cfg.Batch
	cfg.TrainSet, cfg.ValSet = randomImages(zooSteps*n, size, false), randomImages(n, size, false)
	cfg.Epochs, cfg.Output, cfg.Workers = 1, "", 2
	var counts [][]cuda.StandInCounters
	cfg.Hooks.OnStep(func(StepInfo) error {
		var c []cuda.StandInCounters
		for _, id := range cfg.GPUs {
			d, _ := cuda.ReadStandIn(id)
			c = append(c, d)
		}
		counts = append(counts, c)
		return nil
	})
	if err := Run(context.Background(), cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
	if len(counts) != zooSteps {
		t.Fatalf("%d steps, want %d", len(counts), zooSteps)
	}
	first, last := counts[1], counts[zooSteps-2]
	per := make([]cuda.StandInCounters, len(cfg.GPUs))
	steps := uint64(zooSteps - 3)
	for i := range per {
		per[i] = cuda.StandInCounters{
			Launches:  (last[i].Launches - first[i].Launches) / steps,
			Syncs:     (last[i].Syncs - first[i].Syncs) / steps,
			HtoDBytes: (last[i].HtoDBytes - first[i].HtoDBytes) / steps,
			DtoHBytes: (last[i].DtoHBytes - first[i].DtoHBytes) / steps,
			PeerBytes: (last[i].PeerBytes - first[i].PeerBytes) / steps,
		}
	}
	return per
}

// TestNCCLSyncsPerStep trains ResNet-20 (0.27M parameters) and ResNet-56
// (0.86M, in nearly three times as many tensors) on two GPUs and checks
// that a steady-state step blocks the host at most once per device, and
// copies the same bytes to the host, for both: no gradient goes through
// the host, as it did when they were averaged there (a sync per
// parameter tensor).
func TestNCCLSyncsPerStep(t *testing.T) {
	if !cuda.IsStandIn() {
		t.Skip("counts with the stand-in device")
	}
	if os.Getenv("GOCNN_CUDA_DEBUG") == "1" {
		t.Skip("GOCNN_CUDA_DEBUG=1 waits after every launch")
	}
	needDevices(t, 2)
	var per [2][]cuda.StandInCounters
	for k, model := range []string{"resnet20", "resnet56"} {
		cfg := DefaultConfig()
		cfg.Model, cfg.GPUs, cfg.Batch = model, []int{0, 1}, 2
		per[k] = stepCounts(t, cfg, 32)
		for d, c := range per[k] {
			t.Logf("%s, device %d: %d launches, %d host syncs, %d bytes to the device, %d to the host per step",
				model, d, c.Launches, c.Syncs, c.HtoDBytes, c.DtoHBytes)
		}
	}
	for d := range per[0] {
		small, big := per[0][d], per[1][d]
		if big.Syncs > 1 || big.Syncs != small.Syncs || big.DtoHBytes != small.DtoHBytes {
			t.Errorf("device %d: ResNet-20 %d syncs and %d bytes to the host per step, ResNet-56 %d and %d; want at most 1 sync, both the same",
				d, small.Syncs, small.DtoHBytes, big.Syncs, big.DtoHBytes)
		}
	}
}

// TestDataParallelStepCounts logs the host syncs and bytes copied per
// steady-state step of ResNet-20 and ResNet-50 at batch 2 on 1, 2 and 4
// GPUs, for the README. Needs GOCNN_SIM_SKIP_KERNELS=1 and four devices.
func TestDataParallelStepCounts(t *testing.T) {
	if !cuda.IsStandIn() || os.Getenv("GOCNN_SIM_SKIP_KERNELS") != "1" {
		t.Skip("counts full-size steps on the stand-in device: run with GOCNN_SIM_SKIP_KERNELS=1")
	}
	needDevices(t, 4)
	for _, m := range []struct {
		name string
		size int
	}{{"resnet20", 32}, {"resnet50", 224}} {
		for _, n := range []int{1, 2, 4} {
			cfg := DefaultConfig()
			cfg.Model, cfg.GPUs, cfg.Batch = m.name, firstGPUs(n), 2
			for d, c := range stepCounts(t, cfg, m.size) {
				t.Logf("%s, %d GPU(s), device %d: %d host syncs, %d bytes to the device, %d to the host, %d to peers per step",
					m.name, n, d, c.Syncs, c.HtoDBytes, c.DtoHBytes, c.PeerBytes)
				if c.Syncs > 1 {
					t.Errorf("%s on %d GPUs, device %d: %d host syncs per step, want at most 1", m.name, n, d, c.Syncs)
				}
			}
		}
	}
}

// TestNCCLAccumStepsMatchOneDevice checks -accum-steps with data parallel
// on GPUs: 2 GPUs of 2 passes of batch 2 take the same two steps as one GPU
// at batch 8, batch norm in evaluation mode, within TestNCCLMatchesOneDevice's
// tolerance. The first pass of each step only adds to the gradients (its
// bucket hooks are deferred, as DDP's no_sync) and the second averages
// their sum: averaging each pass apart would leave the second pass's
// gradients unaveraged, since the reducer queues every bucket once a step.
func TestNCCLAccumStepsMatchOneDevice(t *testing.T) {
	needDevices(t, 2)
	one := randomConfig(t, 32)
	one.Batch, one.GPUs = 8, []int{0}
	many := one
	many.Batch, many.GPUs, many.AccumSteps = 2, firstGPUs(2), 2
	sameSteps(t, one, many, 2, true, within(t, 1e-5, 1e-4))
}
