package train

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
	"github.com/gocnn/gocnn/optim"
)

// replica is one copy of the model on one device with its own optimizer.
// Data parallel replicas start bit-identical (same seed), see the same
// averaged gradients and so take identical steps; only batch-norm running
// statistics drift apart, since each replica normalises its own shard, and
// broadcastBuffers makes replica 0's the model's.
type replica struct {
	dev    *autograd.Device   // where its input and output live
	devs   []*autograd.Device // every device its model spans, dev first
	model  nn.Module
	params []nn.Named
	opt    optim.Optimizer
	group  commGroup // shared by the replicas; nil when they average through host memory
}

// commGroup is the replicas' communicator on the devices (NCCL on GPUs):
// their gradients and buffers go through it rather than through host
// memory. Its methods for replica i are called on replica i's goroutine,
// every replica's at the same point.
type commGroup interface {
	// finishBackward ends replica i's backward pass: the averaging of its
	// gradients over every rank, started during the pass, is completed
	// before the work queued next on its device (the optimizer's step).
	finishBackward(i int) error
	// deferAverage makes replica i's backward passes only add to its
	// gradients while on is set, as DDP's no_sync: the first pass after it
	// is turned off averages their sum over every rank (-accum-steps).
	deferAverage(i int, on bool)
	// broadcastBuffers replaces replica i's buffers by rank 0's.
	broadcastBuffers(i int, bufs []nn.Named) error
	// channelSum returns replica i's sum over every rank, for synchronised
	// batch norm.
	channelSum(i int) autograd.ChannelSum
	// ranks returns the number of ranks over every process.
	ranks() int
	// err returns the failure that ended the group (a rank that did not
	// arrive), nil while there is none.
	err() error
	close() error
}

// newReplicas builds n replicas of cfg.Model, one on each GPU of cfg.GPUs,
// or else each on a CPU logical device with an equal share of the host's
// cores; with -split, the one replica that spans both devices.
func newReplicas(cfg *Config, n, classes, channels int) ([]*replica, error) {
	if cfg.Dist.Split {
		r, err := newSplitReplica(cfg, classes, channels)
		if err != nil {
			return nil, err
		}
		return []*replica{r}, nil
	}
	spec, err := models.Lookup(cfg.Model)
	if err != nil {
		return nil, err
	}
	workers := max(1, runtime.GOMAXPROCS(0)/n)
	reps := make([]*replica, 0, n)
	for i := range n {
		be, err := replicaBackend(cfg, i, n, workers)
		if err != nil {
			closeReplicas(reps) // the device that failed is the error to report
			return nil, err
		}
		dev := newDevice(cfg, be)
		dev.SeedDropout(replicaDropoutSeed(cfg, cfg.Dist.globalRank(i, n)))
		r := &replica{dev: dev, devs: []*autograd.Device{dev}}
		reps = append(reps, r)
		err = recovered(dev.Name(), func() error {
			r.model = spec.New(nn.NewBuilder(dev, cfg.Seed), cfg.modelOptions(classes, channels))
			if r.params, err = trainableParams(cfg, r.model); err != nil {
				return err
			}
			r.opt, err = newOptimizer(cfg, r.params)
			return err
		})
		if err != nil {
			closeReplicas(reps)
			return nil, err
		}
	}
	group, err := newCommGroup(cfg, reps)
	if err != nil {
		closeReplicas(reps)
		return nil, err
	}
	for _, r := range reps {
		r.group = group
	}
	if cfg.Dist.SyncBN {
		syncBatchNorms(reps)
	}
	return reps, nil
}

// syncBatchNorms makes the replicas' batch norms normalise with the
// statistics of every replica's batch: through their communicator when
// they have one, else through host memory.
func syncBatchNorms(reps []*replica) {
	if g := groupOf(reps); g != nil {
		for i, r := range reps {
			nn.SyncBatchNorm(r.model, g.ranks(), g.channelSum(i))
		}
		return
	}
	devs := make([]*autograd.Device, len(reps))
	for i, r := range reps {
		devs[i] = r.dev
	}
	for i, sum := range autograd.HostChannelSums(devs) {
		nn.SyncBatchNorm(reps[i].model, len(reps), sum)
	}
}

// replicaDropoutSeed returns the dropout seed of global rank i (see
// DistConfig): replicas differ in the dropout masks they draw, as DDP's
// ranks.
func replicaDropoutSeed(cfg *Config, i int) uint64 {
	return cfg.Seed ^ uint64(i+1)*0x9e3779b97f4a7c15
}

// newDevice returns the autograd device on be for cfg: under -amp bf16 it
// stores activations in bfloat16, as PyTorch's autocast does, halving the
// memory a step keeps for its backward pass.
func newDevice(cfg *Config, be autograd.Backend) *autograd.Device {
	dev := autograd.NewDevice(be)
	if cfg.AMP == autograd.BF16.String() {
		dev.SetActivationDType(autograd.BFloat16)
	}
	return dev
}

// replicaBackend returns replica i's backend of n, computing in -amp's
// precision: GPU cfg.GPUs[i], or a CPU logical device of workers
// goroutines.
func replicaBackend(cfg *Config, i, n, workers int) (autograd.Backend, error) {
	precision, err := autograd.ParsePrecision(cfg.AMP)
	if err != nil {
		return nil, fmt.Errorf("-amp: %w", err)
	}
	if len(cfg.GPUs) > 0 {
		be, err := gpuBackend(cfg.GPUs[i])
		if err != nil {
			return nil, err
		}
		s, ok := be.(autograd.PrecisionSupporter)
		if !ok || !s.SupportsPrecision(precision) {
			if c, ok := be.(io.Closer); ok {
				c.Close()
			}
			return nil, fmt.Errorf("-amp %v: GPU %d has no %v kernels", precision, cfg.GPUs[i], precision)
		}
		be.(autograd.PrecisionSetter).SetPrecision(precision)
		return be, nil
	}
	name := "cpu"
	if n > 1 {
		name = fmt.Sprintf("cpu:%d", i)
	}
	be := cpu.NewNamed(name, workers)
	be.SetPrecision(precision)
	return be, nil
}

// newOptimizer returns the optimizer -opt names, with torchvision's
// train.py settings for the hyperparameters that have no flag.
func newOptimizer(cfg *Config, params []nn.Named) (optim.Optimizer, error) {
	groups := cfg.decayPolicy().Groups(optimParams(params))
	switch cfg.Opt {
	case "sgd", "sgd_nesterov":
		return optim.NewSGD(groups, optim.SGDConfig{LR: cfg.LR, Momentum: cfg.Momentum, Nesterov: cfg.Opt == "sgd_nesterov"})
	case "adamw":
		return optim.NewAdamW(groups, optim.AdamWConfig{LR: cfg.LR, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	case "rmsprop":
		return optim.NewRMSprop(groups, optim.RMSpropConfig{LR: cfg.LR, Alpha: 0.9, Eps: 0.0316, Momentum: cfg.Momentum})
	}
	return nil, fmt.Errorf("-opt %q: want one of %v", cfg.Opt, optimizers)
}

// onEach runs f for every replica, each on its own goroutine when there
// are several, and returns the first error: the replicas' communicator's
// failure first, since it makes the others. A panic in f (a model that
// cannot take the input size the flags ask for, say) becomes an error so
// that the command ends with one line rather than a crash.
func onEach(reps []*replica, f func(i int, r *replica) error) error {
	err := onEachReplica(reps, f)
	if g := groupOf(reps); g != nil {
		return cmp.Or(g.err(), err)
	}
	return err
}

// groupOf returns the replicas' communicator, nil when they have none.
func groupOf(reps []*replica) commGroup {
	if len(reps) == 0 {
		return nil
	}
	return reps[0].group
}

func onEachReplica(reps []*replica, f func(i int, r *replica) error) error {
	errs := make([]error, len(reps))
	run := func(i int) {
		errs[i] = recovered(reps[i].dev.Name(), func() error { return f(i, reps[i]) })
	}
	if len(reps) == 1 {
		run(0)
		return errs[0]
	}
	var wg sync.WaitGroup
	for i := range reps {
		wg.Go(func() { run(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// recovered returns f's error, or its panic as an error naming where
// (a device), wrapping the panic's value when it is an error (an
// out-of-memory one, say).
func recovered(where string, f func() error) (err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if e, ok := p.(error); ok {
			err = fmt.Errorf("%s: %w", where, e)
		} else {
			err = fmt.Errorf("%s: %v", where, p)
		}
		if debugPanics {
			err = fmt.Errorf("%w\n%s", err, debug.Stack())
		}
	}()
	return f()
}

// debugPanics adds the stack to errors made from panics (GOCNN_DEBUG=1).
var debugPanics = os.Getenv("GOCNN_DEBUG") != ""

// averageGradients replaces every replica's gradients by their average
// over the replicas (and the other processes' ranks): through the
// replicas' communicator when they have one, which started during the
// backward pass, else through host memory.
func averageGradients(reps []*replica) error {
	if g := groupOf(reps); g != nil {
		return onEach(reps, func(i int, _ *replica) error { return g.finishBackward(i) })
	}
	allReduce(reps)
	return nil
}

// allReduce replaces every replica's gradients by their average, staged
// through host memory and summed in replica order, so that every replica
// gets the same bits.
func allReduce(reps []*replica) {
	if len(reps) == 1 {
		return
	}
	inv := 1 / float32(len(reps))
	for p := range reps[0].params {
		g0 := reps[0].params[p].Tensor.Grad()
		if g0 == nil {
			continue // unused this step on every replica alike
		}
		sum := g0.Float32s()
		for _, r := range reps[1:] {
			g := r.params[p].Tensor.Grad()
			for i, v := range g.Float32s() {
				sum[i] += v
			}
		}
		for i := range sum {
			sum[i] *= inv
		}
		for _, r := range reps {
			g := r.params[p].Tensor.Grad()
			g.SetFloat32s(sum)
		}
	}
}

// broadcastBuffers copies replica 0's buffers (batch-norm running
// statistics) to the others, as DDP's broadcast_buffers does, so that
// every replica evaluates and saves the same model: on the devices when
// the replicas have a communicator (a failure there fails it, and the next
// onEach reports it), else through host memory.
func broadcastBuffers(reps []*replica) {
	if g := groupOf(reps); g != nil {
		onEach(reps, func(i int, r *replica) error { return g.broadcastBuffers(i, nn.Buffers(r.model)) })
		return
	}
	if len(reps) == 1 {
		return
	}
	src := nn.Buffers(reps[0].model)
	for _, r := range reps[1:] {
		for i, b := range nn.Buffers(r.model) {
			hostCopyInto(b.Tensor, src[i].Tensor)
		}
	}
}

// hostCopyInto copies src's data (any device) into dst.
func hostCopyInto(dst, src *autograd.Tensor) {
	be := dst.Device().Backend()
	if src.DType() == autograd.Int32 {
		be.WriteInt32(dst.Buffer(), src.Int32s())
		return
	}
	be.WriteFloat32(dst.Buffer(), src.Float32s())
}

// closeReplicas releases the replicas' communicator, then their devices:
// a GPU backend waits for its queued work and gives back its memory,
// stream and context. CPU backends hold nothing to release.
func closeReplicas(reps []*replica) error {
	var first error
	if g := groupOf(reps); g != nil {
		first = g.close()
	}
	for _, r := range reps {
		for _, d := range r.devs {
			if c, ok := d.Backend().(io.Closer); ok {
				if err := c.Close(); err != nil && first == nil {
					first = err
				}
			}
		}
	}
	return first
}
