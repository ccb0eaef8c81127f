package autograd_test

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/backendtest"
	"github.com/gocnn/gocnn/cpu"
)

// gcChecker is a freeChecker that also runs the garbage collector every
// gcEvery allocations, so that cleanups of dropped tensors hand their
// buffers to the device in the middle of ops and backward passes, and the
// next allocations free (and poison) them there.
type gcChecker struct {
	*freeChecker
	gcEvery int
}

func (g gcChecker) TryAlloc(dt autograd.DType, n int) (autograd.Buffer, error) {
	if g.allocs%g.gcEvery == 0 {
		runtime.GC()
	}
	return g.freeChecker.TryAlloc(dt, n)
}

// budget is a freeChecker with a fixed memory of limit elements, out of
// which it allocates the way a GPU backend does: TryAlloc fails when the
// memory is used up, and Alloc panics.
type budget struct {
	*freeChecker
	limit, used int
	failures    int
}

func (b *budget) TryAlloc(dt autograd.DType, n int) (autograd.Buffer, error) {
	if b.used+n > b.limit {
		b.failures++
		return nil, errors.New("out of memory")
	}
	b.used += n
	return b.freeChecker.Alloc(dt, n), nil
}

func (b *budget) Alloc(dt autograd.DType, n int) autograd.Buffer {
	buf, err := b.TryAlloc(dt, n)
	if err != nil {
		panic(fmt.Sprintf("budget: %d elements with %d of %d in use: %v", n, b.used, b.limit, err))
	}
	return buf
}

func (b *budget) Free(buf autograd.Buffer) {
	b.used -= buf.Len()
	b.freeChecker.Free(buf)
}

// tinyNet is a small CNN touching the ops whose tensors share or hold
// buffers: conv, bias, batch norm (scratch statistics), pooling (argmax),
// a Flatten view, linear and cross-entropy (saved probabilities).
type tinyNet struct {
	w1, b1, gamma, beta, runMean, runVar, w2 *autograd.Tensor
}

// fill returns n deterministic values in [-scale, scale).
func fill(n int, seed uint32, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		seed = seed*1664525 + 1013904223
		v[i] = scale * (float32(seed>>8)/(1<<24)*2 - 1)
	}
	return v
}

func newTinyNet(dev *autograd.Device) *tinyNet {
	param := func(v []float32, shape ...int) *autograd.Tensor {
		return autograd.FromFloat32s(dev, v, shape...).SetRequiresGrad(true)
	}
	return &tinyNet{
		w1:      param(fill(4*3*3*3, 1, 0.3), 4, 3, 3, 3),
		b1:      param(fill(4, 2, 0.1), 4),
		gamma:   param(slices.Repeat([]float32{1}, 4), 4),
		beta:    param(make([]float32, 4), 4),
		runMean: autograd.Zeros(dev, 4),
		runVar:  autograd.Full(dev, 1, 4),
		w2:      param(fill(5*3*3*4, 3, 0.2), 5, 3*3*4),
	}
}

// buffers is the number of buffers the net itself holds.
func (n *tinyNet) buffers() int { return 7 }

func (n *tinyNet) logits(x *autograd.Tensor, training bool) *autograd.Tensor {
	h := autograd.AddBias(autograd.Conv2D(x, n.w1, autograd.Conv2DOptions{Padding: [2]int{1, 1}}), n.b1)
	h = autograd.BatchNorm(h, n.gamma, n.beta, n.runMean, n.runVar, autograd.BatchNormOptions{Training: training})
	h = autograd.MaxPool2D(autograd.ReLU(h), autograd.PoolOptions{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
	return autograd.Linear(autograd.Flatten(h), n.w2, nil)
}

// step runs one training step on batch i, also dropping a recorded graph
// without running its backward and an evaluation forward, as a training
// loop that logs and evaluates does, and returns the loss.
func (n *tinyNet) step(dev *autograd.Device, i int) float32 {
	x := autograd.FromFloat32s(dev, fill(2*6*6*3, uint32(100+i), 1), 2, 6, 6, 3)
	labels := autograd.FromInt32s(dev, []int32{int32(i % 5), int32((i + 2) % 5)}, 2)
	autograd.SoftmaxCrossEntropy(n.logits(x, true), labels, autograd.CrossEntropyOptions{})
	func() {
		defer dev.NoGrad()()
		n.logits(x, false)
	}()
	loss := autograd.SoftmaxCrossEntropy(n.logits(x, true), labels, autograd.CrossEntropyOptions{})
	loss.Backward()
	for _, p := range []*autograd.Tensor{n.w1, n.b1, n.gamma, n.beta, n.w2} {
		dev.Backend().Axpby(-0.1, p.Grad().Buffer(), 1, p.Buffer())
		p.ZeroGrad()
	}
	return loss.Item()
}

// referenceLosses trains on the plain CPU backend, where nothing is ever
// freed, for the runs on checking backends to match bit for bit.
func referenceLosses(steps int) []float32 {
	dev := autograd.NewDevice(cpu.New(1))
	n := newTinyNet(dev)
	losses := make([]float32, steps)
	for i := range losses {
		losses[i] = n.step(dev, i)
	}
	return losses
}

// TestDroppedTensorsAreFreed trains while the garbage collector runs
// often: every buffer but the net's own comes back after Reclaim, so
// device memory does not grow with steps, nothing is freed twice, and the
// losses match a run where nothing is freed (a buffer freed while in use
// would be poisoned and change them).
func TestDroppedTensorsAreFreed(t *testing.T) {
	const steps = 20
	want := referenceLosses(steps)
	fc := newFreeChecker(cpu.New(1))
	dev := autograd.NewDevice(gcChecker{fc, 7})
	n := newTinyNet(dev)
	for i := range steps {
		if got := n.step(dev, i); got != want[i] {
			t.Fatalf("step %d: loss %v, want %v as without freeing", i, got, want[i])
		}
		dev.Reclaim()
		if fc.live() != n.buffers() {
			t.Fatalf("after step %d and Reclaim: %d buffers live, want the net's %d", i, fc.live(), n.buffers())
		}
	}
	if fc.doubles != 0 {
		t.Errorf("%d buffers were freed twice", fc.doubles)
	}
	if fc.allocs < steps*20 {
		t.Errorf("only %d allocations in %d steps: the test does not exercise what it claims", fc.allocs, steps)
	}
}

// TestOutOfMemoryReclaims trains on a backend whose memory holds a few
// steps of activations, with the collector switched off and no Reclaim
// call: allocations that find the memory full must reclaim the dropped
// tensors themselves and go on.
func TestOutOfMemoryReclaims(t *testing.T) {
	const steps = 20
	want := referenceLosses(steps)
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b := &budget{freeChecker: newFreeChecker(cpu.New(1)), limit: math.MaxInt}
	dev := autograd.NewDevice(b)
	n := newTinyNet(dev)
	if got := n.step(dev, 0); got != want[0] {
		t.Fatalf("step 0: loss %v, want %v", got, want[0])
	}
	b.limit = 3 * b.used // the first step's activations are still held
	for i := 1; i < steps; i++ {
		if got := n.step(dev, i); got != want[i] {
			t.Fatalf("step %d: loss %v, want %v as without freeing", i, got, want[i])
		}
	}
	if b.failures == 0 {
		t.Errorf("no allocation ran out of memory in %d steps with a limit of %d elements: the test does not exercise Reclaim", steps, b.limit)
	}
	if b.doubles != 0 {
		t.Errorf("%d buffers were freed twice", b.doubles)
	}
}

// TestViewLifetimes releases or drops a view (Reshape, Detach) and its base
// in either order: the buffer is freed exactly once, only after both are
// gone, and stays readable through whichever is left.
func TestViewLifetimes(t *testing.T) {
	views := map[string]func(*autograd.Tensor) *autograd.Tensor{
		"Reshape": func(x *autograd.Tensor) *autograd.Tensor { return autograd.Reshape(x, 3, 2) },
		"Detach":  (*autograd.Tensor).Detach,
	}
	data := []float32{1, 2, 3, 4, 5, 6}
	// gone ends a tensor's life: dropping the last pointer to it, after an
	// explicit Release or not, and reclaiming what became unreachable.
	gone := map[string]func(dev *autograd.Device, p **autograd.Tensor){
		"Release": func(dev *autograd.Device, p **autograd.Tensor) {
			(*p).Release()
			*p = nil
			dev.Reclaim()
		},
		"drop": func(dev *autograd.Device, p **autograd.Tensor) {
			*p = nil
			dev.Reclaim()
		},
	}
	for vname, view := range views {
		for _, viewFirst := range []bool{true, false} {
			for gname, end := range gone {
				name := fmt.Sprintf("%s/%s/viewFirst=%v", vname, gname, viewFirst)
				t.Run(name, func(t *testing.T) {
					fc := newFreeChecker(cpu.New(1))
					dev := autograd.NewDevice(fc)
					base := autograd.FromFloat32s(dev, data, 2, 3)
					v := view(base)
					first, second := &base, &v
					if viewFirst {
						first, second = &v, &base
					}
					end(dev, first)
					if fc.frees != 0 {
						t.Fatalf("buffer freed while the other tensor still holds it")
					}
					if got := (*second).Float32s(); !slices.Equal(got, data) {
						t.Fatalf("data through the remaining tensor = %v, want %v", got, data)
					}
					end(dev, second)
					if fc.frees != 1 || fc.doubles != 0 {
						t.Errorf("buffer freed %d times (%d double frees), want once", fc.frees, fc.doubles)
					}
				})
			}
		}
	}
}

// TestReleaseTwice checks that releasing a tensor is idempotent and that
// a view made before the release keeps the data.
func TestReleaseTwice(t *testing.T) {
	fc := newFreeChecker(cpu.New(1))
	dev := autograd.NewDevice(fc)
	x := autograd.FromFloat32s(dev, []float32{1, 2}, 2)
	d := x.Detach()
	x.Release()
	x.Release()
	if fc.frees != 0 {
		t.Fatalf("releasing x twice freed the buffer its Detach still holds")
	}
	d.Release()
	d.Release()
	if fc.frees != 1 || fc.doubles != 0 {
		t.Errorf("buffer freed %d times (%d double frees), want once", fc.frees, fc.doubles)
	}
	if !panics(func() { x.Detach() }) || !panics(func() { autograd.Reshape(x, 1, 2) }) {
		t.Error("a view of a released tensor did not panic")
	}
}

// TestSuiteWithRealFree runs the shared op suite on a backend that poisons
// freed buffers while the collector runs every few allocations, so a
// buffer an op still reads after its tensor became unreachable would fail
// the op's comparison.
func TestSuiteWithRealFree(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole op suite")
	}
	backendtest.Run(t, func() autograd.Backend { return gcChecker{newFreeChecker(cpu.New(1)), 8} })
}
