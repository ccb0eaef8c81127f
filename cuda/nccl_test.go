//go:build cuda

package cuda

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/gocnn/gocnn/autograd"
	"gorgonia.org/cu"
)

// commsOn joins one rank per backend to a new communicator, each from its
// own goroutine since NewComm blocks until all ranks have joined; it gives
// up after a minute.
func commsOn(t testing.TB, bs ...*Backend) ([]*Comm, []error) {
	t.Helper()
	id, err := NCCLUniqueID()
	if err != nil {
		t.Fatal(err)
	}
	comms, errs := make([]*Comm, len(bs)), make([]error, len(bs))
	var wg sync.WaitGroup
	for r, b := range bs {
		wg.Go(func() { comms[r], errs[r] = NewComm(b, id, len(bs), r) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("ncclCommInitRank did not return within a minute")
	}
	return comms, errs
}

// TestNCCLOneRank runs the NCCL path with a single rank: the library
// loads, a communicator forms, and the mean of one rank is the buffer
// itself, bit for bit.
func TestNCCLOneRank(t *testing.T) {
	v, err := LoadNCCL()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("NCCL version code %d", v)
	comms, errs := commsOn(t, gpu)
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	defer comms[0].Close()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 1000, 1 << 20} {
		want := randn(rng, n)
		buf, other := upload(t, gpu, want), upload(t, gpu, want[:1])
		if err := comms[0].AllReduceMean(buf, other); err != nil {
			t.Fatal(err)
		}
		comms[0].Join()
		allClose(t, fmt.Sprintf("mean of one rank, %d elements", n), download(gpu, buf), want, 0, 0)
		gpu.Free(buf)
		gpu.Free(other)
	}
}

// TestNCCLRefusesOneGPUTwice records why logical devices that share a GPU
// (-gpus 0,0) need the host-staged all-reduce: NCCL will not put two ranks
// on one device.
func TestNCCLRefusesOneGPUTwice(t *testing.T) {
	if _, err := LoadNCCL(); err != nil {
		t.Fatal(err)
	}
	second, err := New(0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	comms, errs := commsOn(t, gpu, second)
	if errs[0] == nil && errs[1] == nil {
		for _, c := range comms {
			c.Close()
		}
		t.Fatal("NCCL formed a communicator with two ranks on one GPU")
	}
	t.Logf("NCCL refused: %v / %v", errs[0], errs[1])
}

// secondGPU returns a backend on GPU 1, skipping the test on a machine
// with one GPU.
func secondGPU(t *testing.T) *Backend {
	t.Helper()
	if n, err := cu.NumDevices(); err != nil || n < 2 {
		t.Skipf("needs two GPUs (have %d, %v)", n, err)
	}
	if _, err := LoadNCCL(); err != nil {
		t.Fatal(err)
	}
	other, err := New(1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// twoRanks joins gpu and GPU 1 in a communicator, closed when the test
// ends.
func twoRanks(t *testing.T) ([]*Backend, []*Comm) {
	t.Helper()
	bs := []*Backend{gpu, secondGPU(t)}
	comms, errs := commsOn(t, bs...)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range comms {
		t.Cleanup(func() { c.Close() })
	}
	return bs, comms
}

// TestNCCLTwoGPUs averages different buffers over two GPUs; it needs a
// machine with two (or two stand-in devices).
func TestNCCLTwoGPUs(t *testing.T) {
	bs, comms := twoRanks(t)
	errs := make([]error, len(comms))
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 100_003
	data := [][]float32{randn(rng, n), randn(rng, n)}
	want := make([]float32, n)
	for i := range want {
		want[i] = (data[0][i] + data[1][i]) / 2
	}
	bufs := []autograd.Buffer{upload(t, bs[0], data[0]), upload(t, bs[1], data[1])}
	var wg sync.WaitGroup
	for r := range comms {
		wg.Go(func() { errs[r] = comms[r].AllReduceMean(bufs[r]) })
	}
	wg.Wait()
	for r, c := range comms {
		if errs[r] != nil {
			t.Fatal(errs[r])
		}
		c.Join()
		allClose(t, fmt.Sprintf("rank %d", r), download(bs[r], bufs[r]), want, 1e-7, 1e-6)
		bs[r].Free(bufs[r])
	}
}

// BenchmarkNCCLAllReduce times a one-rank all-reduce of ResNet-50's
// gradients (25.6M floats) in DDP's 25 MB buckets: the fixed cost the NCCL
// path adds per step on one GPU.
func BenchmarkNCCLAllReduce(b *testing.B) {
	comms, errs := commsOn(b, gpu)
	if errs[0] != nil {
		b.Fatal(errs[0])
	}
	defer comms[0].Close()
	const total, bucket = 25_557_032, 25 << 20 / 4
	var bufs []autograd.Buffer
	for left := total; left > 0; left -= bucket {
		bufs = append(bufs, gpu.Alloc(autograd.Float32, min(left, bucket)))
	}
	for _, buf := range bufs {
		gpu.Fill(buf, 1)
	}
	b.SetBytes(total * 4)
	for b.Loop() {
		for _, buf := range bufs {
			if err := comms[0].AllReduceMean(buf); err != nil {
				b.Fatal(err)
			}
		}
		comms[0].Join()
		gpu.Synchronize()
	}
	for _, buf := range bufs {
		gpu.Free(buf)
	}
}
