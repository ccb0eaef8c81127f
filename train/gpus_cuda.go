//go:build cuda

package train

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cuda"
)

// DefaultGPUs is the -gpus of a run that names none: GPU 0 on the cuda
// build.
func DefaultGPUs() []int { return []int{0} }

// checkGPUs accepts any -gpus on the cuda build; cuda.New reports a
// missing device when the replicas are built.
func checkGPUs([]int) error { return nil }

// gpuBackend returns the backend of GPU id.
func gpuBackend(id int) (autograd.Backend, error) { return cuda.New(id, cuda.Options{}) }

// gpus returns the replicas' GPU backends (every device of each), none
// for CPU replicas.
func gpus(reps []*replica) []*cuda.Backend {
	var bs []*cuda.Backend
	for _, r := range reps {
		for _, d := range r.devs {
			if g, ok := d.Backend().(*cuda.Backend); ok {
				bs = append(bs, g)
			}
		}
	}
	return bs
}

// enablePeerAccess lets two GPU devices copy to each other directly and
// reports whether they can; other devices need nothing.
func enablePeerAccess(a, b *autograd.Device) (bool, error) {
	ga, okA := a.Backend().(*cuda.Backend)
	gb, okB := b.Backend().(*cuda.Backend)
	if !okA || !okB {
		return true, nil
	}
	return cuda.EnablePeerAccess(ga, gb)
}

// synchronize waits until the replicas' devices have finished the work
// queued on them: before a clock is read.
func synchronize(reps []*replica) {
	for _, g := range gpus(reps) {
		g.Synchronize()
	}
}

// activity is what deviceActivity counts.
type activity = cuda.Activity

// deviceActivity returns the kernel launches and host-blocking calls the
// replicas' GPUs have seen: the stand-in's counters on the stand-in device
// (each GPU once, however many replicas share it), the backends' own
// counts on a real one; ok is false for CPU replicas.
func deviceActivity(reps []*replica) (a activity, ok bool) {
	seen := map[int]bool{}
	for _, g := range gpus(reps) {
		ok = true
		if !cuda.IsStandIn() {
			own := g.Activity()
			a.Launches, a.Syncs = a.Launches+own.Launches, a.Syncs+own.Syncs
			continue
		}
		if seen[g.Ordinal()] {
			continue
		}
		seen[g.Ordinal()] = true
		c, _ := cuda.ReadStandIn(g.Ordinal())
		a.Launches, a.Syncs = a.Launches+c.Launches, a.Syncs+c.Syncs
	}
	return a, ok
}

// devicePeak returns the largest peak of the replicas' GPU allocators, in
// bytes; ok is false for CPU replicas.
func devicePeak(reps []*replica) (peak int64, ok bool) {
	for _, g := range gpus(reps) {
		peak, ok = max(peak, g.MemStats().Peak), true
	}
	return peak, ok
}

// standInNote is the bench line's warning on the stand-in device, whose
// timings are the CPU's.
func standInNote() string {
	if cuda.IsStandIn() {
		return " (stand-in device: a CPU emulation, not a GPU speed)"
	}
	return ""
}
