//go:build cuda

package cuda

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/backendtest"
	"github.com/gocnn/gocnn/kernels"
)

// gpu is the backend the tests share: every suite family may run on one
// backend, and a context and module loads per family would dominate.
var gpu *Backend

func TestMain(m *testing.M) {
	var err error
	if gpu, err = New(0, Options{}); err != nil {
		panic(err)
	}
	code := m.Run()
	if err := gpu.Close(); err != nil {
		panic(err)
	}
	os.Exit(code)
}

// TestBackend runs the shared suite on the GPU.
func TestBackend(t *testing.T) {
	backendtest.Run(t, func() autograd.Backend { return gpu })
}

func randn(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

func upload(t *testing.T, be autograd.Backend, v []float32) autograd.Buffer {
	t.Helper()
	buf := be.Alloc(autograd.Float32, len(v))
	be.WriteFloat32(buf, v)
	return buf
}

func download(be autograd.Backend, buf autograd.Buffer) []float32 {
	v := make([]float32, buf.Len())
	be.ReadFloat32(v, buf)
	return v
}

func allClose(t *testing.T, what string, got, want []float32, atol, rtol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= atol+rtol*math.Abs(float64(want[i]))) {
			t.Fatalf("%s: element %d = %g, want %g", what, i, got[i], want[i])
		}
	}
}

// TestAllocatorCaches checks that a freed block is reused without the
// driver and that the statistics follow.
func TestAllocatorCaches(t *testing.T) {
	be, err := New(0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	a := be.Alloc(autograd.Float32, 1000).(*buffer)
	st := be.MemStats()
	if st.Current != sizeClass(4000) || st.Peak != st.Current || st.Cached != 0 {
		t.Fatalf("after one Alloc: %+v", st)
	}
	ptr := a.ptr
	be.Free(a)
	if st = be.MemStats(); st.Current != 0 || st.Cached != sizeClass(4000) {
		t.Fatalf("after Free: %+v", st)
	}
	b := be.Alloc(autograd.Float32, 900).(*buffer)
	if b.ptr != ptr {
		t.Error("a block of the same size class was not reused")
	}
	be.Free(b)
	be.EmptyCache()
	if st = be.MemStats(); st.Cached != 0 || st.Peak != sizeClass(4000) {
		t.Fatalf("after EmptyCache: %+v", st)
	}
}

func TestSizeClass(t *testing.T) {
	for _, c := range []struct{ bytes, want int64 }{
		{1, 512}, {512, 512}, {513, 1024}, {1 << 20, 1 << 20}, {1<<20 + 1, 1<<20 + 1<<16}, {3 << 20, 3 << 20},
		{3<<20 + 1, 3<<20 + 1<<17},
	} {
		if got := sizeClass(c.bytes); got != c.want {
			t.Errorf("sizeClass(%d) = %d, want %d", c.bytes, got, c.want)
		}
	}
}

// TestLargeTransfer moves more than one staging buffer's worth each way.
func TestLargeTransfer(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	v := randn(rng, stagingBytes/4*2+12345)
	buf := upload(t, gpu, v)
	defer gpu.Free(buf)
	cp := gpu.Alloc(autograd.Float32, len(v))
	defer gpu.Free(cp)
	gpu.Copy(cp, buf)
	got := download(gpu, cp)
	for i := range v {
		if got[i] != v[i] {
			t.Fatalf("element %d: got %g, want %g", i, got[i], v[i])
		}
	}
}

// TestCopyPeer copies between two backends (on one GPU when there is
// only one: the peer path is taken all the same).
func TestCopyPeer(t *testing.T) {
	other, err := New(min(1, deviceCount(t)-1), Options{Debug: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	v := randn(rand.New(rand.NewPCG(5, 6)), 100003)
	src := upload(t, gpu, v)
	defer gpu.Free(src)
	dst := other.Alloc(autograd.Float32, len(v))
	defer other.Free(dst)
	CopyPeer(other, dst, gpu, src)
	back := gpu.Alloc(autograd.Float32, len(v))
	defer gpu.Free(back)
	CopyPeer(gpu, back, other, dst)
	allClose(t, "CopyPeer", download(gpu, back), v, 0, 0)
	allClose(t, "CopyPeer", download(other, dst), v, 0, 0)
}

// TestLaunchErrorNamesKernel checks that a failing launch panics with the
// op and the kernel's name.
func TestLaunchErrorNamesKernel(t *testing.T) {
	defer func() {
		msg, _ := recover().(error)
		if msg == nil || !strings.Contains(msg.Error(), "TestOp") || !strings.Contains(msg.Error(), "no_such_kernel") {
			t.Errorf("panic %v does not name the op and kernel", msg)
		}
	}()
	defer gpu.enter()()
	gpu.launch("TestOp", &kernels.Kernel{Family: "elementwise", Name: "no_such_kernel"}, dim3{1, 1, 1}, dim3{1, 1, 1}, 0)
}

// TestLaunchChecksArguments checks that a launch whose arguments do not
// match the kernel's parameters panics before it reaches the driver.
func TestLaunchChecksArguments(t *testing.T) {
	y := gpu.Alloc(autograd.Float32, 4)
	defer gpu.Free(y)
	for name, args := range map[string][]any{
		"too few":  {y, 4},
		"too many": {y, 4, float32(1), 0},
		"mistyped": {y, 4, 1.0},
	} {
		func() {
			defer func() {
				msg, _ := recover().(error)
				if msg == nil || !strings.Contains(msg.Error(), "fill_f32") {
					t.Errorf("%s: panic %v does not name the kernel", name, msg)
				}
			}()
			defer gpu.enter()()
			gpu.launch("TestOp", kernels.Fill, dim3{1, 1, 1}, dim3{threads, 1, 1}, 0, args...)
		}()
	}
}

// TestDebugMode runs a few kernels with a check after each launch.
func TestDebugMode(t *testing.T) {
	be, err := New(0, Options{Debug: true})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	x := upload(t, be, []float32{-1, 2, -3, 4, 5})
	y := be.Alloc(autograd.Float32, 5)
	be.Activation(autograd.ActReLU, x, y)
	be.Axpby(2, x, 1, y)
	allClose(t, "relu(x) + 2x", download(be, y), []float32{-2, 6, -6, 12, 15}, 0, 0)
}

func TestMonitor(t *testing.T) {
	m, err := OpenMonitor()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	infos, err := m.Info()
	if err != nil || len(infos) == 0 || infos[0].Name == "" || infos[0].MemoryBytes == 0 {
		t.Fatalf("Info() = %+v, %v", infos, err)
	}
	stats, err := m.Stats()
	if err != nil || len(stats) != len(infos) || stats[0].MemTotalBytes == 0 || stats[0].TemperatureC <= 0 {
		t.Fatalf("Stats() = %+v, %v", stats, err)
	}
	t.Logf("%+v %+v", infos, stats)
}

func deviceCount(t *testing.T) int {
	m, err := OpenMonitor()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	infos, err := m.Info()
	if err != nil {
		t.Fatal(err)
	}
	return len(infos)
}
