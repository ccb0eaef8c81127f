//go:build !openblas

package cpu

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gocnn/gocnn/autograd"
)

// resnetConvs are the 3x3 pad-1 stride-1 convolutions of the CIFAR
// ResNets at batch 128 and of ResNet-18 at 112x112 at batch 32.
var resnetConvs = []autograd.ConvParams{
	conv3x3s1(64, 32, 16), conv3x3s1(128, 32, 16), conv3x3s1(128, 16, 32), conv3x3s1(128, 8, 64),
	conv3x3s1(32, 28, 64), conv3x3s1(32, 14, 128), conv3x3s1(32, 7, 256), conv3x3s1(32, 4, 512),
}

// pointwiseConvs are 1x1 convolutions of ResNet-50's bottlenecks at
// 112x112 and batch 32: the first and last of each stage's widths.
var pointwiseConvs = []autograd.ConvParams{
	conv1x1(32, 28, 64, 256), conv1x1(32, 14, 512, 128), conv1x1(32, 7, 256, 1024), conv1x1(32, 4, 2048, 512), conv1x1(32, 4, 512, 2048),
}

func conv1x1(n, hw, c, k int) autograd.ConvParams {
	return autograd.ConvParams{N: n, H: hw, W: hw, C: c, K: k, R: 1, S: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}
}

func conv3x3s1(n, hw, c int) autograd.ConvParams {
	return autograd.ConvParams{N: n, H: hw, W: hw, C: c, K: c, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}
}

// BenchmarkConvPasses reports GFLOP/s (2 x multiply-adds of the direct
// convolution, whatever the algorithm) of each pass at ResNet shapes, by
// the direct path and by Winograd, on one worker: the measurement behind
// winogradPays. GFLOP/s is by the wall clock; cpu-GFLOP/s by the thread's
// CPU time, which other jobs on a shared machine disturb much less.
// Compare with BenchmarkFMAPeak's goroutines=1.
func BenchmarkConvPasses(b *testing.B) {
	for _, p := range resnetConvs {
		for _, rule := range []winogradRule{winogradNever, winogradAlways} {
			be := New(1)
			be.winograd = rule
			benchConvPasses(b, be, p, map[winogradRule]string{winogradNever: "direct", winogradAlways: "winograd"}[rule])
		}
	}
}

// BenchmarkPointwisePasses reports GFLOP/s and cpu-GFLOP/s of the three
// passes of ResNet-50's 1x1 convolutions on one worker, as
// BenchmarkConvPasses does for 3x3 ones.
func BenchmarkPointwisePasses(b *testing.B) {
	for _, p := range pointwiseConvs {
		b.Run(fmt.Sprintf("k%d", p.K), func(b *testing.B) { benchConvPasses(b, New(1), p, "gemm") })
	}
}

// benchConvPasses runs forward, backward-data and backward-filter of p on
// be as sub-benchmarks named by the shape, the pass and algo.
func benchConvPasses(b *testing.B, be *Backend, p autograd.ConvParams, algo string) {
	xn, wn, yn := p.Sizes()
	rng := rand.New(rand.NewPCG(1, 2))
	x, w, y := randMixed(rng, xn), randMixed(rng, wn), randMixed(rng, yn)
	flops := 2 * float64(p.N*p.P()*p.Q()*p.K*p.R*p.S*p.C)
	passes := []struct {
		name string
		run  func()
	}{
		{"forward", func() { be.Conv2D(p, f32(x), f32(w), f32(y)) }},
		{"backward-data", func() { be.Conv2DBackwardData(p, f32(y), f32(w), f32(x)) }},
		{"backward-filter", func() { be.Conv2DBackwardFilter(p, f32(x), f32(y), f32(w)) }},
	}
	for _, pass := range passes {
		b.Run(fmt.Sprintf("n%d-%dx%dx%d/%s/%s", p.N, p.H, p.W, p.C, pass.name, algo), func(b *testing.B) {
			runtime.LockOSThread() // the one worker runs on this thread
			defer runtime.UnlockOSThread()
			cpu0 := threadCPU(b)
			for b.Loop() {
				pass.run()
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(flops*float64(b.N)/(threadCPU(b)-cpu0).Seconds()/1e9, "cpu-GFLOP/s")
		})
	}
}

// threadCPU returns the CPU time the calling thread has used.
func threadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil { // 1: RUSAGE_THREAD
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFMAPeak runs kernel6x16 on an in-cache problem (k = 256, a and
// b in L1) on 1 and 2 goroutines: the multiply-add rate the convolutions
// can at best reach on this machine.
func BenchmarkFMAPeak(b *testing.B) {
	const k = 256
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("goroutines=%d", workers), func(b *testing.B) {
			const calls = 1000
			for b.Loop() {
				var wg sync.WaitGroup
				for range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						a, bp := make([]float32, mr*k), make([]float32, k*nr)
						for i := range a {
							a[i] = 1e-3
						}
						for i := range bp {
							bp[i] = 1e-3
						}
						var tile [mr * nr]float32
						for range calls {
							kernel6x16(k, &a[0], k, 1, &bp[0], &tile[0])
						}
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(2*mr*nr*k*calls*float64(workers)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
