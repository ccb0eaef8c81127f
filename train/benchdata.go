package train

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/internal/cputime"
)

// benchData times the training split's data loader as a run would use it
// (the same transforms: the dataset's crop and flip, the -auto-augment
// and other pixel transforms, the normalisation) and prints, for 1, 2
// and all (GOMAXPROCS) workers and for float32 batches (the CPU backend's)
// and uint8 ones (what a GPU run takes, normalised on the device): images
// per second over cfg.BenchSteps batches after one warm-up batch, wall
// milliseconds per image per worker, and the process's CPU milliseconds
// per image, the steadier figure on a shared machine.
func benchData(ctx context.Context, cfg *Config, out io.Writer) error {
	ds, err := openData(cfg)
	if err != nil {
		return err
	}
	cores := runtime.GOMAXPROCS(0)
	workers := slices.Compact(slices.Sorted(slices.Values([]int{1, min(2, cores), cores})))
	fmt.Fprintf(out, "-bench-data: %d training images of %s, batch %d, %d batches per line after 1 warm-up; JPEG decoder %s; GOMAXPROCS %d%s\n",
		ds.train.Len(), cmp.Or(cfg.Data, cfg.Dataset), cfg.Batch, cfg.BenchSteps, data.JPEGDecoder, cores, loadAverage())
	fmt.Fprintf(out, "%-8s %-8s %9s %18s %12s\n", "workers", "batch", "img/s", "ms/img x workers", "CPU ms/img")
	for _, u8 := range []bool{false, true} {
		for _, w := range workers {
			l, err := data.NewLoader(ds.train, data.LoaderConfig{BatchSize: cfg.Batch, Transforms: ds.trainTfm,
				Shuffle: true, Seed: cfg.Seed, DropLast: true, Workers: w, Uint8: u8, SkipBad: cfg.SkipBad})
			if err != nil {
				return err
			}
			if _, err := takeBatches(ctx, l, 1, 0); err != nil {
				return err
			}
			start, cpu0 := time.Now(), cputime.Process()
			n, err := takeBatches(ctx, l, cfg.BenchSteps, 1)
			if err != nil {
				return err
			}
			wall, cpu := time.Since(start), cputime.Process()-cpu0
			kind := "float32"
			if u8 {
				kind = "uint8"
			}
			cpuMS := "n/a"
			if cpu > 0 {
				cpuMS = fmt.Sprintf("%.2f", cpu.Seconds()*1e3/float64(n))
			}
			fmt.Fprintf(out, "%-8d %-8s %9.0f %18.2f %12s\n", w, kind, float64(n)/wall.Seconds(),
				wall.Seconds()*1e3*float64(w)/float64(n), cpuMS)
		}
	}
	return nil
}

// takeBatches takes batches from l, epoch after epoch from first on, and
// returns how many images they held.
func takeBatches(ctx context.Context, l *data.Loader, batches, first int) (images int, err error) {
	if l.Batches() == 0 {
		return 0, errors.New("-bench-data: the training split holds less than one batch; lower -batch")
	}
	for e := first; batches > 0; e++ {
		ep := l.Epoch(e)
		for ; batches > 0; batches-- {
			if err := ctx.Err(); err != nil {
				ep.Close()
				return images, err
			}
			b, err := ep.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return images, err
			}
			images += b.Len()
			b.Release()
		}
		ep.Close()
	}
	return images, nil
}

// loadAverage returns ", load average" and /proc/loadavg's first three
// figures, or nothing where there is none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return ", load average " + strings.Join(f[:3], " ")
	}
	return ""
}
