//go:build cuda

package cuda

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gocnn/gocnn/autograd"
)

// within runs f on a goroutine of its own and fails the test when f has
// not returned after d: for calls that would hang if they were wrong.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// busy queues work on b's stream that keeps it busy for a while (10
// passes over 1M floats), so that a stream that does not wait for it runs
// first.
func busy(b *Backend) autograd.Buffer {
	buf := b.Alloc(autograd.Float32, 1<<20)
	b.Fill(buf, 1)
	for range 10 {
		b.Axpby(1, buf, 1, buf)
	}
	return buf
}

// TestNCCLOrderedWithCompute checks the two event orderings of a
// collective on its own stream: it reads what the backend's stream wrote
// before it (a fill queued behind a long computation on rank 1, into
// memory the stand-in poisons with NaN), and Join makes the backend's
// later work (doubling the result on rank 0, whose own stream is idle)
// wait for it.
func TestNCCLOrderedWithCompute(t *testing.T) {
	bs, comms := twoRanks(t)
	const n = 1000
	bufs := []autograd.Buffer{bs[0].Alloc(autograd.Float32, n), bs[1].Alloc(autograd.Float32, n)}
	defer bs[0].Free(bufs[0])
	defer bs[1].Free(bufs[1])
	slow := busy(bs[1])
	defer bs[1].Free(slow)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r, c := range comms {
		wg.Go(func() {
			bs[r].Fill(bufs[r], float32(2*r+1)) // 1 and 3: mean 2
			errs[r] = c.AllReduceMean(bufs[r])
			c.Join()
			if r == 0 {
				bs[0].Axpby(0, bufs[0], 2, bufs[0])
			}
		})
	}
	wg.Wait()
	for r, want := range []float32{4, 2} {
		if errs[r] != nil {
			t.Fatal(errs[r])
		}
		got := download(bs[r], bufs[r])
		if i := slices.IndexFunc(got, func(v float32) bool { return v != want }); i >= 0 {
			t.Errorf("rank %d: element %d is %v, want %v", r, i, got[i], want)
		}
	}
}

// TestNCCLSumAndBroadcast checks the sum all-reduce (Float32) and the
// broadcast from rank 1 (Float32 and Int32).
func TestNCCLSumAndBroadcast(t *testing.T) {
	bs, comms := twoRanks(t)
	sums := []autograd.Buffer{upload(t, bs[0], []float32{1, 2, 3}), upload(t, bs[1], []float32{10, 20, 30})}
	floats := []autograd.Buffer{upload(t, bs[0], []float32{-1, -1}), upload(t, bs[1], []float32{5, 6})}
	ints := make([]autograd.Buffer, 2)
	for r, b := range bs {
		ints[r] = b.Alloc(autograd.Int32, 2)
		b.WriteInt32(ints[r], []int32{int32(r), int32(7 * r)})
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r, c := range comms {
		wg.Go(func() {
			if errs[r] = c.AllReduceSum(sums[r]); errs[r] == nil {
				errs[r] = c.Broadcast(1, floats[r], ints[r])
			}
			c.Join()
		})
	}
	wg.Wait()
	for r, b := range bs {
		if errs[r] != nil {
			t.Fatal(errs[r])
		}
		allClose(t, fmt.Sprintf("rank %d sum", r), download(b, sums[r]), []float32{11, 22, 33}, 0, 0)
		allClose(t, fmt.Sprintf("rank %d broadcast", r), download(b, floats[r]), []float32{5, 6}, 0, 0)
		got := make([]int32, 2)
		b.ReadInt32(got, ints[r])
		if !slices.Equal(got, []int32{1, 7}) {
			t.Errorf("rank %d: Int32 broadcast from rank 1 gave %v", r, got)
		}
		for _, buf := range []autograd.Buffer{sums[r], floats[r], ints[r]} {
			b.Free(buf)
		}
	}
	if err := comms[0].Broadcast(2, sums[0]); err == nil {
		t.Error("a broadcast from rank 2 of 2 was accepted")
	}
}

// TestNCCLAbortEndsWait leaves rank 1 out of an all-reduce: rank 0's
// stream would wait for it forever, which Waiting and Issued show. Aborting
// rank 0's communicator from another goroutine, while the host waits for
// that stream holding the backend, ends the wait.
func TestNCCLAbortEndsWait(t *testing.T) {
	bs, comms := twoRanks(t)
	buf := bs[0].Alloc(autograd.Float32, 10)
	defer bs[0].Free(buf)
	bs[0].Fill(buf, 1)
	if err := comms[0].AllReduceMean(buf); err != nil {
		t.Fatal(err)
	}
	comms[0].Join()
	time.Sleep(100 * time.Millisecond)
	if w, err := comms[0].Waiting(); w < 100*time.Millisecond || err != nil {
		t.Errorf("rank 0 waiting %v (%v), want at least 100ms", w, err)
	}
	if i0, i1 := comms[0].Issued(), comms[1].Issued(); i0 != 1 || i1 != 0 {
		t.Errorf("collectives issued by ranks 0 and 1: %d and %d, want 1 and 0", i0, i1)
	}
	time.AfterFunc(100*time.Millisecond, func() {
		if err := comms[0].Abort(); err != nil {
			t.Error(err)
		}
	})
	within(t, 20*time.Second, "waiting for an aborted all-reduce", bs[0].Synchronize)
	if w, err := comms[0].Waiting(); w != 0 || err != nil {
		t.Errorf("rank 0 still waiting %v (%v) after the abort", w, err)
	}
	if err := comms[0].AllReduceMean(buf); err == nil {
		t.Error("an aborted communicator queued an all-reduce")
	}
}

// TestNewCommLeavesBackendFree checks that a rank waiting in NewComm for
// the others does not hold its backend: the backend computes meanwhile.
func TestNewCommLeavesBackendFree(t *testing.T) {
	other := secondGPU(t)
	id, err := NCCLUniqueID()
	if err != nil {
		t.Fatal(err)
	}
	joined := make(chan *Comm, 1)
	go func() {
		c, err := NewComm(gpu, id, 2, 0)
		if err != nil {
			t.Error(err)
		}
		joined <- c
	}()
	time.Sleep(100 * time.Millisecond) // rank 0 is in ncclCommInitRank by now
	within(t, 20*time.Second, "computing on a backend whose rank waits in NewComm", func() {
		buf := upload(t, gpu, []float32{1, 2})
		gpu.Axpby(1, buf, 1, buf)
		allClose(t, "2x", download(gpu, buf), []float32{2, 4}, 0, 0)
		gpu.Free(buf)
	})
	c1, err := NewComm(other, id, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	c1.Close()
	if c0 := <-joined; c0 != nil {
		c0.Close()
	}
}
