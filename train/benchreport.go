package train

import (
	"fmt"
	"io"
	"time"
)

// budgetStep is the step after which -bench notes the peak device memory,
// to compare with the peak at the end: memory that grows with steps shows
// as a difference.
const budgetStep = 3

// benchReport measures -bench's timed steps: it waits for the devices
// before each clock read, so that no queued work leaks across the
// window's ends, and counts the devices' launches and host waits over the
// window (read as the steps are queued, before the closing wait).
type benchReport struct {
	cfg   *Config
	reps  []*replica
	size  int
	began time.Time
	start activity // device counters when the clock started
	// peak device memory after budgetStep, and the bytes the last step's
	// graph held for its backward pass (replica 0)
	peakAt3 int64
	saved   int64
}

func newBenchReport(cfg *Config, reps []*replica, size int) *benchReport {
	return &benchReport{cfg: cfg, reps: reps, size: size}
}

// step is an OnStep hook: it starts the clock after the warm-up steps.
func (b *benchReport) step(s StepInfo) error {
	if s.Step == budgetStep {
		b.peakAt3, _ = devicePeak(b.reps)
	}
	if s.Step == benchWarmup {
		synchronize(b.reps)
		b.began = time.Now()
		b.start, _ = deviceActivity(b.reps)
	}
	return nil
}

// print writes the bench line and, on a GPU, the memory budget.
func (b *benchReport) print(out io.Writer) error {
	end, counted := deviceActivity(b.reps)
	synchronize(b.reps)
	elapsed := time.Since(b.began)
	cfg, n := b.cfg, b.cfg.BenchSteps
	fmt.Fprintf(out, "%s: %dx%d, batch %d x %d device(s), %d steps in %v: %.1f img/s (%s, %s)",
		cfg.Model, b.size, b.size, cfg.Batch, len(b.reps), n, elapsed.Round(time.Millisecond),
		float64(n*cfg.Batch*len(b.reps))/elapsed.Seconds(), cfg.AMP, b.reps[0].dev.Name())
	peak, onDevice := devicePeak(b.reps)
	if onDevice {
		fmt.Fprintf(out, ", peak device memory %.0f MiB", mib(peak))
	}
	if counted {
		fmt.Fprintf(out, ", %.1f launches/step, %.2f host syncs/step",
			float64(end.Launches-b.start.Launches)/float64(n), float64(end.Syncs-b.start.Syncs)/float64(n))
	}
	fmt.Fprintf(out, "%s\n", standInNote())
	if onDevice {
		fmt.Fprintln(out, b.budget(peak))
	}
	return nil
}

// budget is the memory line: replica 0's parameters, gradients, optimizer
// state and the tensors its last step saved for backward, the peak
// against their sum, and the peak after budgetStep against the last.
func (b *benchReport) budget(peak int64) string {
	r := b.reps[0]
	var params, grads, state int64
	for _, p := range r.params {
		params += bytesOf(p.Tensor.Numel())
		if g := p.Tensor.Grad(); g != nil {
			grads += bytesOf(g.Numel())
		}
	}
	for _, t := range r.opt.State().Tensors {
		state += bytesOf(t.Numel())
	}
	sum := params + grads + state + b.saved
	return fmt.Sprintf("memory: parameters %.1f MiB, gradients %.1f MiB, optimizer state %.1f MiB, saved for backward %.1f MiB; "+
		"peak %.0f MiB = %.3fx their sum; peak after step %d %.0f MiB, after step %d %.0f MiB",
		mib(params), mib(grads), mib(state), mib(b.saved), mib(peak), float64(peak)/float64(sum),
		budgetStep, mib(b.peakAt3), benchWarmup+b.cfg.BenchSteps, mib(peak))
}

// bytesOf is the size of n float32 values.
func bytesOf(n int) int64 { return 4 * int64(n) }

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }
