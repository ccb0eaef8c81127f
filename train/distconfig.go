package train

import (
	"fmt"
	"time"

	"github.com/gocnn/gocnn/train/dist"
)

// DistConfig is how the devices of a run work together: what cmd/train's
// -dist-* flags set.
type DistConfig struct {
	// Timeout is how long a collective (an all-reduce of gradients, a
	// broadcast) may wait for a rank that does not arrive before the run
	// ends with an error naming it, and how long the start-up rendezvous of
	// several processes waits for them; 0 means DefaultDistTimeout.
	Timeout time.Duration
	// SyncBN normalises batches in training with the statistics of the
	// whole batch over every device (PyTorch's SyncBatchNorm), not each
	// device's own.
	SyncBN bool
	// Split trains alexnet2012 with each tower on its own device of the
	// two the run has, as Krizhevsky et al. did (see newSplitReplica).
	Split bool
	// WorldSize is the number of processes that train together (0 means
	// 1), each on its own GPUs (Config.GPUs, the same number in every
	// process), and Rank this process's, 0 to WorldSize-1. The device i
	// of process Rank is global rank Rank*len(GPUs)+i of the NCCL
	// communicator, and sees the batches that device Rank*len(GPUs)+i of
	// one process with every GPU would see (see trainShard). Rank 0
	// listens on URL (tcp://host:port) for the others at the start, and
	// alone prints the run and writes the output folder.
	WorldSize, Rank int
	URL             string
}

// DefaultDistTimeout is PyTorch's default NCCL process-group timeout.
const DefaultDistTimeout = 10 * time.Minute

// timeout returns the collective timeout in force.
func (d DistConfig) timeout() time.Duration {
	if d.Timeout == 0 {
		return DefaultDistTimeout
	}
	return d.Timeout
}

// processes returns the number of processes that train together.
func (d DistConfig) processes() int { return max(d.WorldSize, 1) }

// globalRank returns the rank in the run's communicator of replica i of
// the n of this process.
func (d DistConfig) globalRank(i, n int) int { return d.Rank*n + i }

// ranks returns the number of replicas over every process: the global
// ranks of the run's communicator.
func (c *Config) ranks() int { return c.replicas() * c.Dist.processes() }

// trainShard returns the share of each training epoch's order this
// process takes, as data.LoaderConfig's Rank, WorldSize and Chunk: with
// several processes, runs of a step pass's worth of batches for its
// devices (devices*batch examples), every WorldSize-th run from its
// Rank-th. Local replica i takes batch k*devices+i of the process's
// order (see trainer.feed), which is then batch k*ranks+global rank of
// the whole order: exactly what that global rank's replica would take in
// one process with every device. One process takes the whole order.
func (c *Config) trainShard() (rank, world, chunk int) {
	if c.Dist.processes() == 1 {
		return 0, 1, 1
	}
	return c.Dist.Rank, c.Dist.processes(), c.replicas() * c.Batch
}

// validate returns an error naming the flag of the first setting out of
// range or that cannot apply to the rest of c.
func (d DistConfig) validate(c *Config) error {
	devices := max(len(c.GPUs), c.Devices)
	switch {
	case d.Timeout < 0:
		return fmt.Errorf("-dist-timeout %v: must not be negative", d.Timeout)
	case d.Split && c.Model != "alexnet2012":
		return fmt.Errorf("-split: only -model alexnet2012 has towers to split, not %s", c.Model)
	case d.Split && devices != 2:
		return fmt.Errorf("-split needs two devices (-gpus 0,1 or -devices 2), got %d", devices)
	case d.Split && d.SyncBN:
		return fmt.Errorf("-sync-bn: alexnet2012, which -split trains, has no batch norm")
	case d.SyncBN && devices < 2 && d.processes() == 1:
		return fmt.Errorf("-sync-bn: one device has no other batch to share statistics with; train on several (-gpus 0,1 or -devices 2)")
	}
	return d.validateProcesses(c)
}

// validateProcesses checks the settings of training across processes.
func (d DistConfig) validateProcesses(c *Config) error {
	if d.URL != "" {
		if _, err := dist.ParseURL(d.URL); err != nil {
			return err
		}
	}
	switch {
	case d.WorldSize < 0:
		return fmt.Errorf("-world-size %d: must be at least 1", d.WorldSize)
	case d.Rank < 0 || d.Rank >= d.processes():
		return fmt.Errorf("-rank %d: must be in 0..%d for -world-size %d", d.Rank, d.processes()-1, d.processes())
	case d.processes() == 1:
		return nil
	case d.URL == "":
		return fmt.Errorf("-world-size %d needs -dist-url tcp://host:port (rank 0's address)", d.WorldSize)
	case len(c.GPUs) == 0:
		return fmt.Errorf("-world-size %d needs -gpus (the cuda build): processes exchange gradients through NCCL", d.WorldSize)
	case d.Split:
		return fmt.Errorf("-split runs in one process; drop -world-size %d", d.WorldSize)
	case c.Bench:
		return fmt.Errorf("-bench measures one process; drop -world-size %d", d.WorldSize)
	case c.EvalOnly:
		return fmt.Errorf("-eval-only evaluates in one process; drop -world-size %d", d.WorldSize)
	}
	return nil
}
